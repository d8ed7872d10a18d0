import oscar.apps.checkout.apps as apps
from django.urls import path
from oscar.core.loading import get_class


class CheckoutConfig(apps.CheckoutConfig):
    name = "marketplace.checkout"

    def ready(self):
        super().ready()
        self.stripe_pay_view = get_class("checkout.views", "StripePaymentView")
        self.stripe_return_view = get_class("checkout.views", "StripeReturnView")
        self.stripe_test_card_view = get_class("checkout.views", "StripeTestCardView")
        self.stripe_status_view = get_class("checkout.views", "StripeStatusView")
        self.stripe_webhook_view = get_class("checkout.views", "StripeWebhookView")
        self.channel_enter_view = get_class("checkout.views", "ChannelEnterView")

    def get_urls(self):
        # Oscar's steps, then Stripe's pay page, the customer's return and the webhook.
        urls = [
            path("stripe/pay/", self.stripe_pay_view.as_view(), name="stripe-pay"),
            path("stripe/return/", self.stripe_return_view.as_view(), name="stripe-return"),
            path(
                "stripe/test-card/", self.stripe_test_card_view.as_view(), name="stripe-test-card"
            ),
            path("stripe/status/", self.stripe_status_view.as_view(), name="stripe-status"),
            path("stripe/webhook/", self.stripe_webhook_view.as_view(), name="stripe-webhook"),
            path("channel/<slug:code>/", self.channel_enter_view.as_view(), name="channel-enter"),
        ]
        return super().get_urls() + self.post_process_urls(urls)

    def get_url_decorator(self, pattern):
        # Stripe calls the webhook without a session, and a campaign zone links visitors
        # to channel-enter before they log in: neither is behind the login.
        if pattern.name in ("stripe-webhook", "channel-enter"):
            return None
        return super().get_url_decorator(pattern)
