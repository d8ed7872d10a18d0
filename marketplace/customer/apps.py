import oscar.apps.customer.apps as apps
from django.urls import path
from oscar.core.loading import get_class


class CustomerConfig(apps.CustomerConfig):
    name = "marketplace.customer"

    def ready(self):
        super().ready()
        from . import privacy_views

        self.register_confirm_view = get_class("customer.views", "RegistrationConfirmView")
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
