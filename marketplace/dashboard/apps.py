import oscar.apps.dashboard.apps as apps
from django.apps import apps as django_apps
from django.urls import include, path
from oscar.core.loading import get_class

# Oscar's dashboard mounts flatpages under pages/. Wagtail owns content pages here, so
# neither django.contrib.flatpages nor Oscar's pages dashboard is installed; this fork
# wires the other dashboards exactly as Oscar does.
_SUB_DASHBOARDS = {
    "catalogue": "catalogue_dashboard",
    "reports": "reports_dashboard",
    "orders": "orders_dashboard",
    "users": "users_dashboard",
    "partners": "partners_dashboard",
    "offers": "offers_dashboard",
    "ranges": "ranges_dashboard",
    "reviews": "reviews_dashboard",
    "vouchers": "vouchers_dashboard",
    "comms": "communications_dashboard",
    "shipping": "shipping_dashboard",
}


class DashboardConfig(apps.DashboardConfig):
    name = "marketplace.dashboard"

    def ready(self):
        self.index_view = get_class("dashboard.views", "IndexView")
        self.login_view = get_class("dashboard.views", "LoginView")
        self.sub_dashboards = {
            prefix: django_apps.get_app_config(label) for prefix, label in _SUB_DASHBOARDS.items()
        }
        self.configure_permissions()

    def configure_permissions(self):
        super().configure_permissions()
        # Stripe webhook events that keep failing: platform staff only.
        platform_staff = ["is_staff", "order.change_order"]
        self.permissions_map["payment-webhook-list"] = platform_staff
        self.permissions_map["payment-webhook-retry"] = platform_staff

    def get_urls(self):
        from django.contrib.auth import views as auth_views

        from marketplace.payment.dashboard import WebhookEventListView, WebhookEventRetryView

        urls = [path("", self.index_view.as_view(), name="index")]
        urls += [
            path(
                "payments/webhooks/",
                WebhookEventListView.as_view(),
                name="payment-webhook-list",
            ),
            path(
                "payments/webhooks/<int:pk>/retry/",
                WebhookEventRetryView.as_view(),
                name="payment-webhook-retry",
            ),
        ]
        urls += [
            path(f"{prefix}/", include(app.urls[0])) for prefix, app in self.sub_dashboards.items()
        ]
        urls += [
            path("login/", self.login_view.as_view(), name="login"),
            path("logout/", auth_views.LogoutView.as_view(next_page="/"), name="logout"),
        ]
        return self.post_process_urls(urls)
