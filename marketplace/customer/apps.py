import oscar.apps.customer.apps as apps
from django.urls import path
from oscar.core.loading import get_class


class CustomerConfig(apps.CustomerConfig):
    name = "marketplace.customer"

    def ready(self):
        super().ready()
        self.register_confirm_view = get_class("customer.views", "RegistrationConfirmView")

    def get_urls(self):
        urls = super().get_urls()
        urls.append(
            path(
                "register/confirm/<str:uidb64>/<str:token>/",
                self.register_confirm_view.as_view(),
                name="register-confirm",
            )
        )
        return urls
