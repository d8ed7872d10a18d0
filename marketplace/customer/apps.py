import oscar.apps.customer.apps as apps
from django.urls import path
from oscar.core.loading import get_class


class CustomerConfig(apps.CustomerConfig):
    name = "marketplace.customer"

    def ready(self):
        super().ready()
        from . import privacy_views

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
