"""A refund's process dies between its Stripe call and the commit that records Stripe's
answer (the refund is stored pending, with its idempotency key, before Stripe is called).
The sweep Celery beat runs every five minutes asks Stripe again and records the refund
exactly once; Stripe is asked to refund once."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.payment import gateway
from marketplace.payment.events import REFUND, payment_refunded
from marketplace.payment.services import order_refund, refunds_pending_sweep
from marketplace.payment.services import refunds as refunds_module
from marketplace.payment.services.webhooks import HANDLERS
from tests.factories import UserFactory
from tests.marketplace.checkout.stripe_fake import FakeStripe
from tests.marketplace.payment.conftest import discounted_order_paid
from tests.store_factories import china_country, tea_and_honey

PaymentEvent = get_model("order", "PaymentEvent")
StripeRefund = get_model("payment", "StripeRefund")

pytestmark = pytest.mark.django_db

LATER = datetime.timedelta(minutes=6)


class ProcessDied(BaseException):
    """The process stops here: nothing after it runs, no handler catches it."""


@pytest.fixture
def stripe_fake():
    fake = FakeStripe()
    gateway.http_client_install(fake)
    yield fake
    gateway.http_client_install(None)


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def announced():
    events = []

    def refunded(sender, order, payment_event, **kwargs):
        events.append(payment_event.pk)

    payment_refunded.connect(refunded)
    yield events
    payment_refunded.disconnect(refunded)


@pytest.fixture
def paid_tea(stripe_fake):
    """3 teas at ¥38.00 with 10 % off (¥102.60), paid by card."""
    china_country()  # a transactional test run earlier may have flushed the migrations' row
    tea, _honey = tea_and_honey()
    order = discounted_order_paid(stripe=stripe_fake, user=UserFactory(), items=[(tea, 3)])
    return order, order.lines.get()


def _recorded(order) -> list:
    return list(
        PaymentEvent.objects.filter(order=order, event_type__code=REFUND).values_list(
            "amount", flat=True
        )
    )


def _die(*args, **kwargs):
    raise ProcessDied


def test_a_refund_whose_process_dies_after_stripe_refunded_is_recorded_once_by_the_sweep(
    stripe_fake,
    staff,
    paid_tea,
    monkeypatch,
    fault_count,
    announced,
    django_capture_on_commit_callbacks,
):
    order, line = paid_tea
    # Given the process dies after Stripe refunded, before Stripe's answer is recorded
    with monkeypatch.context() as patch:
        patch.setattr(refunds_module, "refund_outcome_record", _die)
        with pytest.raises(ProcessDied):
            order_refund(order=order, lines_quantities={line: 2}, actor=staff)
    fault_count(1)
    refund = StripeRefund.objects.get()
    assert (refund.state, refund.stripe_refund_id) == (StripeRefund.State.PENDING, None)
    assert _recorded(order) == []
    assert len(stripe_fake.refunds) == 1

    # When the sweep runs a beat period later (and again after that)
    with django_capture_on_commit_callbacks(execute=True):
        assert refunds_pending_sweep(now=timezone.now() + LATER) == 1
        assert refunds_pending_sweep(now=timezone.now() + 2 * LATER) == 0
        # and Stripe's own report of the refund arrives too
        HANDLERS["charge.refunded"](
            {"id": "ch_1", "payment_intent": refund.attempt.payment_intent_id}
        )

    # Then the refund is recorded once, for what Stripe refunded once
    refund.refresh_from_db()
    assert refund.state == StripeRefund.State.SUCCEEDED
    assert refund.stripe_refund_id in stripe_fake.refunds
    assert _recorded(order) == [Decimal("68.40")]  # 2 of 3 × ¥38.00 less 10 %
    assert len(stripe_fake.calls_to("POST", "/v1/refunds")) == 1
    assert order.sources.get().amount_refunded == Decimal("68.40")
    assert announced == [refund.payment_event_id]
    # and the last unit is refundable for what is left
    assert order_refund(order=order, lines_quantities=None, actor=staff).amount == Decimal("34.20")


def test_stripes_report_reaching_the_store_first_is_matched_to_the_pending_refund(
    stripe_fake, staff, paid_tea, monkeypatch, fault_count, django_capture_on_commit_callbacks
):
    order, line = paid_tea
    with monkeypatch.context() as patch:
        patch.setattr(refunds_module, "refund_outcome_record", _die)
        with pytest.raises(ProcessDied):
            order_refund(order=order, lines_quantities={line: 1}, actor=staff)
    fault_count(1)
    (made,) = stripe_fake.refunds.values()

    with django_capture_on_commit_callbacks(execute=True):
        HANDLERS["refund.created"]({"id": made["id"]})
        assert refunds_pending_sweep(now=timezone.now() + LATER) == 0

    refund = StripeRefund.objects.get()  # no second row for Stripe's report
    assert (refund.state, refund.stripe_refund_id) == (StripeRefund.State.SUCCEEDED, made["id"])
    assert list(refund.payment_event.line_quantities.values_list("quantity", "amount")) == [
        (1, Decimal("34.20"))
    ]
    assert _recorded(order) == [Decimal("34.20")]


def test_a_refund_whose_process_dies_before_stripe_was_asked_is_asked_once_by_the_sweep(
    stripe_fake, staff, paid_tea, monkeypatch, fault_count, django_capture_on_commit_callbacks
):
    order, line = paid_tea
    with monkeypatch.context() as patch:
        patch.setattr(refunds_module, "_stripe_refund_ask", _die)
        with pytest.raises(ProcessDied):
            order_refund(order=order, lines_quantities={line: 1}, actor=staff)
    fault_count(1)
    assert stripe_fake.refunds == {}

    with django_capture_on_commit_callbacks(execute=True):
        assert refunds_pending_sweep(now=timezone.now() + LATER) == 1

    assert len(stripe_fake.refunds) == 1
    assert _recorded(order) == [Decimal("34.20")]
    # A refund that never reached Stripe while it kept the key is given up, not re-sent
    with monkeypatch.context() as patch:
        patch.setattr(refunds_module, "_stripe_refund_ask", _die)
        with pytest.raises(ProcessDied):
            order_refund(order=order, lines_quantities={line: 1}, actor=staff)
    assert refunds_pending_sweep(now=timezone.now() + datetime.timedelta(days=2)) == 1
    assert StripeRefund.objects.order_by("pk").last().state == StripeRefund.State.FAILED
    assert len(stripe_fake.refunds) == 1
