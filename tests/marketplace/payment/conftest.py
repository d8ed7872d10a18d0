"""Fixtures for the store's settlement and refund tests: the checkout tests' fake Stripe,
customers and products, a Stripe whose refunds stay pending, and an order paid by card
with a 10 % offer on every line."""

import pytest
from oscar.core.loading import get_class, get_model
from oscar.test.factories import (
    BenefitFactory,
    ConditionalOfferFactory,
    ConditionFactory,
    RangeFactory,
)

from marketplace.payment import gateway
from marketplace.payment.events import payment_refunded, payment_settled
from marketplace.payment.services import order_place_for_payment
from tests.marketplace.checkout.conftest import (  # noqa: F401  fixtures shared with checkout
    customer,
    staff,
    start_payment,
    stripe_fake,
    two_cooperatives,
)
from tests.marketplace.checkout.stripe_fake import FakeStripe
from tests.store_factories import basket_with

Applicator = get_class("offer.applicator", "Applicator")
Selector = get_class("partner.strategy", "Selector")
Benefit = get_model("offer", "Benefit")
Condition = get_model("offer", "Condition")


class SlowRefundStripe(FakeStripe):
    """Stripe answering a new refund `refund_status` (e.g. "pending": the bank has not
    confirmed it yet); `refund_settle` later changes it, as Stripe does."""

    refund_status = "pending"

    def _route(self, method, path, form, query):
        status, body = super()._route(method, path, form, query)
        if method == "POST" and path == "/v1/refunds" and status == 200:
            body["status"] = self.refund_status
        return status, body

    def refund_settle(self, refund_id: str, status: str) -> dict:
        with self.lock:
            self.refunds[refund_id]["status"] = status
            return dict(self.refunds[refund_id])


@pytest.fixture
def slow_stripe():
    fake = SlowRefundStripe()
    gateway.http_client_install(fake)
    yield fake
    gateway.http_client_install(None)


@pytest.fixture
def announced():
    """(kind, order number, payment event id) of every announcement, in order."""
    received = []

    def settled(sender, order, payment_event, **kwargs):
        received.append(("settled", order.number, payment_event.pk))

    def refunded(sender, order, payment_event, **kwargs):
        received.append(("refunded", order.number, payment_event.pk))

    payment_settled.connect(settled)
    payment_refunded.connect(refunded)
    yield received
    payment_settled.disconnect(settled)
    payment_refunded.disconnect(refunded)


def ten_percent_off():
    everything = RangeFactory(includes_all_products=True)
    ConditionalOfferFactory(
        name="消费帮扶九折",
        exclusive=False,
        condition=ConditionFactory(range=everything, type=Condition.COUNT, value=1),
        benefit=BenefitFactory(range=everything, type=Benefit.PERCENTAGE, value=10),
    )


def discounted_order_paid(*, stripe, user, items):
    """An order of `items` [(product, units)] with 10 % off every line, paid by card
    through the fake `stripe`."""
    ten_percent_off()
    basket = basket_with(user, items)
    basket.strategy = Selector().strategy(user=user)
    Applicator().apply(basket, user, None)
    attempt = start_payment(user, basket)
    stripe.succeed(attempt.payment_intent_id)
    return order_place_for_payment(payment_intent_id=attempt.payment_intent_id)
