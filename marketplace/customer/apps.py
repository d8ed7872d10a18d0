import oscar.apps.customer.apps as apps
from django.db.models.signals import post_save
from django.urls import path
from oscar.core.loading import get_class, get_model


class CustomerConfig(apps.CustomerConfig):
    name = "marketplace.customer"

    def ready(self):
        super().ready()
        from oscar.apps.customer.alerts import receivers as oscar_alert_receivers

        from . import privacy_views, receivers

        # Oscar's eager back-in-stock alerts (when OSCAR_EAGER_ALERTS connected them),
        # asking less after an allocation (receivers.py).
        StockRecord = get_model("partner", "StockRecord")
        if post_save.disconnect(oscar_alert_receivers.send_product_alerts, sender=StockRecord):
            post_save.connect(receivers.product_alerts_send, sender=StockRecord)

        self.register_confirm_view = get_class("customer.views", "RegistrationConfirmView")
        self.register_mobile_view = get_class("customer.views", "MobileRegistrationView")
        self.privacy_policy_view = get_class("customer.views", "PrivacyPolicyView")
        # Oscar's profile deletion removes the user row (orders keep a NULL user); here the
        # account is anonymised and the store's records stay (account_deletion.py).
        self.profile_delete_view = privacy_views.AccountDeleteView
        self.personal_data_view = privacy_views.PersonalDataView
        self.personal_data_download_view = privacy_views.PersonalDataDownloadView

    def get_urls(self):
        urls = super().get_urls()
        urls.append(
            path(
                "register/confirm/<str:uidb64>/<str:token>/",
                self.register_confirm_view.as_view(),
                name="register-confirm",
            )
        )
        urls.append(
            path("register/mobile/", self.register_mobile_view.as_view(), name="register-mobile")
        )
        urls.append(
            path("privacy-policy/", self.privacy_policy_view.as_view(), name="privacy-policy")
        )
        urls.append(
            path("profile/my-data/", self.personal_data_view.as_view(), name="personal-data")
        )
        urls.append(
            path(
                "profile/my-data/download/",
                self.personal_data_download_view.as_view(),
                name="personal-data-download",
            )
        )
        return urls
