"""Refunds through Stripe: priced with what the buyer paid after discounts, Stripe called
outside row locks with an idempotency key, and recorded on the order only once Stripe
reports them succeeded."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.order.selectors import line_units_value
from marketplace.payment.events import REFUND
from marketplace.payment.services import RefundError, order_refund, refunds_pending_sweep
from marketplace.payment.services.refunds import refund_record_from_stripe
from marketplace.payment.services.webhooks import HANDLERS

from .conftest import discounted_order_paid

PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")
StripeRefund = get_model("payment", "StripeRefund")

pytestmark = pytest.mark.django_db


def _refund_rows(order) -> list[tuple[int, int, Decimal]]:
    return list(
        PaymentEventQuantity.objects.filter(event__order=order, event__event_type__code=REFUND)
        .order_by("event_id", "line_id")
        .values_list("line_id", "quantity", "amount")
    )


def _stripe_fen(fake) -> int:
    return sum(r["amount"] for r in fake.refunds.values() if r["status"] == "succeeded")


def test_discounted_units_are_refunded_at_what_was_paid_until_the_line_is_back_to_zero(
    stripe_fake, customer, staff, two_cooperatives, announced, django_capture_on_commit_callbacks
):
    tea, honey = two_cooperatives
    order = discounted_order_paid(stripe=stripe_fake, user=customer, items=[(tea, 3), (honey, 1)])
    line = order.lines.get(product=tea)
    # 3 × ¥38.00 less 10 %: ¥102.60 paid; Oscar's unit price (¥38.00) is before the offer.
    assert (line.unit_price_incl_tax, line.line_price_incl_tax) == (
        Decimal("38.00"),
        Decimal("102.60"),
    )

    amounts = []
    for _unit in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            refund = order_refund(order=order, lines_quantities={line: 1}, actor=staff)
        amounts.append(refund.amount)
        assert refund.state == StripeRefund.State.SUCCEEDED

    assert amounts == [Decimal("34.20")] * 3
    assert [call[2]["amount"] for call in stripe_fake.calls_to("POST", "/v1/refunds")] == [
        "3420"
    ] * 3
    assert _refund_rows(order) == [(line.pk, 1, Decimal("34.20"))] * 3
    assert sum(amounts) == line.line_price_incl_tax
    assert order.sources.get().amount_refunded == line.line_price_incl_tax
    assert [kind for kind, _number, _event in announced] == ["refunded"] * 3
    with pytest.raises(RefundError):
        order_refund(order=order, lines_quantities={line: 1}, actor=staff)


def test_uneven_units_put_the_remainder_on_the_last_one(
    stripe_fake, customer, staff, two_cooperatives
):
    tea, honey = two_cooperatives
    # honey 3 × ¥66.50 less 10 %: ¥179.55, which 3 units cannot share evenly
    order = discounted_order_paid(stripe=stripe_fake, user=customer, items=[(honey, 3)])
    line = order.lines.get()

    first = order_refund(order=order, lines_quantities={line: 2}, actor=staff)
    last = order_refund(order=order, lines_quantities={line: 1}, actor=staff)

    assert first.amount == line_units_value(line=line, units=2) == Decimal("119.70")
    assert last.amount == Decimal("59.85")
    assert first.amount + last.amount == line.line_price_incl_tax == Decimal("179.55")
    assert _stripe_fen(stripe_fake) == 17955


def test_a_pending_stripe_refund_is_not_recorded_and_a_later_failure_frees_the_units(
    slow_stripe, customer, staff, two_cooperatives, announced, django_capture_on_commit_callbacks
):
    # The bug this fixes: a refund Stripe answered "pending" was recorded (the ledger
    # reversed) and its later failure ignored, so households lost income never refunded.
    tea, honey = two_cooperatives
    order = discounted_order_paid(stripe=slow_stripe, user=customer, items=[(tea, 2), (honey, 1)])
    line = order.lines.get(product=tea)
    announced.clear()

    with django_capture_on_commit_callbacks(execute=True):
        refund = order_refund(order=order, lines_quantities={line: 2}, actor=staff)

    assert refund.state == StripeRefund.State.PENDING
    assert _refund_rows(order) == []
    assert order.sources.get().amount_refunded == 0
    assert announced == []
    # The units are being refunded: not offered twice meanwhile
    with pytest.raises(RefundError):
        order_refund(order=order, lines_quantities={line: 1}, actor=staff)

    # When Stripe reports that the refund failed
    failed = slow_stripe.refund_settle(refund.stripe_refund_id, "failed")
    with django_capture_on_commit_callbacks(execute=True):
        HANDLERS["refund.updated"]({"id": failed["id"]})

    refund.refresh_from_db()
    assert refund.state == StripeRefund.State.FAILED
    assert refund.payment_event is None
    assert _refund_rows(order) == []
    assert announced == []
    # and the units may be refunded again
    slow_stripe.refund_status = "succeeded"
    with django_capture_on_commit_callbacks(execute=True):
        again = order_refund(order=order, lines_quantities={line: 2}, actor=staff)
    assert again.state == StripeRefund.State.SUCCEEDED
    assert _refund_rows(order) == [(line.pk, 2, Decimal("68.40"))]
    assert len(announced) == 1


def test_a_pending_refund_is_recorded_once_when_stripe_reports_it_succeeded(
    slow_stripe, customer, staff, two_cooperatives, announced, django_capture_on_commit_callbacks
):
    tea, _honey = two_cooperatives
    order = discounted_order_paid(stripe=slow_stripe, user=customer, items=[(tea, 2)])
    line = order.lines.get()
    announced.clear()
    refund = order_refund(order=order, lines_quantities={line: 1}, actor=staff)
    succeeded = slow_stripe.refund_settle(refund.stripe_refund_id, "succeeded")

    with django_capture_on_commit_callbacks(execute=True):
        refund_record_from_stripe(refund=succeeded)  # refund.updated
        refund_record_from_stripe(refund=succeeded)  # charge.refunded, the same refund
        # and the sweep, much later, finds nothing pending
        assert refunds_pending_sweep(now=timezone.now() + datetime.timedelta(hours=1)) == 0

    refund.refresh_from_db()
    assert refund.state == StripeRefund.State.SUCCEEDED
    assert _refund_rows(order) == [(line.pk, 1, Decimal("34.20"))]
    assert [kind for kind, _n, _e in announced] == ["refunded"]
    assert len(slow_stripe.calls_to("POST", "/v1/refunds")) == 1


def test_the_sweep_asks_stripe_about_a_refund_left_pending(
    slow_stripe, customer, staff, two_cooperatives, django_capture_on_commit_callbacks
):
    tea, _honey = two_cooperatives
    order = discounted_order_paid(stripe=slow_stripe, user=customer, items=[(tea, 2)])
    line = order.lines.get()
    refund = order_refund(order=order, lines_quantities={line: 2}, actor=staff)

    # Not yet: the refund was looked at a moment ago
    assert refunds_pending_sweep() == 0
    slow_stripe.refund_settle(refund.stripe_refund_id, "succeeded")
    with django_capture_on_commit_callbacks(execute=True):
        assert refunds_pending_sweep(now=timezone.now() + datetime.timedelta(minutes=6)) == 1

    refund.refresh_from_db()
    assert refund.state == StripeRefund.State.SUCCEEDED
    assert _refund_rows(order) == [(line.pk, 2, Decimal("68.40"))]


def test_a_refund_stripe_refuses_records_nothing(stripe_fake, customer, staff, two_cooperatives):
    tea, _honey = two_cooperatives
    order = discounted_order_paid(stripe=stripe_fake, user=customer, items=[(tea, 1)])
    stripe_fake.intents.clear()  # Stripe no longer knows the PaymentIntent: 404

    with pytest.raises(RefundError):
        order_refund(order=order, lines_quantities=None, actor=staff)

    assert StripeRefund.objects.get().state == StripeRefund.State.FAILED
    assert _refund_rows(order) == []


def test_a_refund_made_in_stripes_dashboard_is_split_over_the_lines_by_what_is_left(
    stripe_fake, customer, staff, two_cooperatives, announced, django_capture_on_commit_callbacks
):
    tea, honey = two_cooperatives
    order = discounted_order_paid(stripe=stripe_fake, user=customer, items=[(tea, 3), (honey, 1)])
    tea_line, honey_line = order.lines.get(product=tea), order.lines.get(product=honey)
    order_refund(order=order, lines_quantities={tea_line: 1}, actor=staff)  # ¥34.20
    # Left: tea ¥68.40, honey ¥59.85 (¥128.25); ¥50.00 refunded in Stripe's dashboard
    intent = order.payment_attempt.payment_intent_id
    made = stripe_fake.refund_made_at_stripe(intent, 5000)

    with django_capture_on_commit_callbacks(execute=True):
        HANDLERS["charge.refunded"]({"id": "ch_1", "payment_intent": intent})

    event = PaymentEvent.objects.get(reference=made["id"])
    rows = list(
        event.line_quantities.order_by("line_id").values_list("line_id", "quantity", "amount")
    )
    # round(50.00 × 68.40 / 128.25) = 26.67 to the tea, the remainder to the honey
    assert rows == [(tea_line.pk, 0, Decimal("26.67")), (honey_line.pk, 0, Decimal("23.33"))]
    assert event.amount == Decimal("50.00")

    # Refunding every unit left then returns exactly what is left of each line
    rest = order_refund(order=order, lines_quantities=None, actor=staff)
    assert rest.amount == Decimal("162.45") - Decimal("34.20") - Decimal("50.00")
    assert _stripe_fen(stripe_fake) == 16245
    refunded = sum(amount for _l, _q, amount in _refund_rows(order))
    assert refunded == tea_line.line_price_incl_tax + honey_line.line_price_incl_tax


def test_the_dashboard_says_a_refund_stripe_has_not_confirmed_is_not_yet_made(
    client, slow_stripe, customer, staff, two_cooperatives
):
    tea, _honey = two_cooperatives
    order = discounted_order_paid(stripe=slow_stripe, user=customer, items=[(tea, 1)])
    client.force_login(staff)
    url = reverse("dashboard:order-detail", kwargs={"number": order.number})

    response = client.post(url, {"order_action": "stripe_refund_order"})

    page = client.get(response.url).content.decode()
    assert "退款 ¥34.20 已提交支付渠道，确认后入账。" in page
    assert "已退款 ¥34.20" not in page
    assert _refund_rows(order) == []


def test_the_sweep_runs_every_five_minutes(settings):
    from config.celery import app

    (entry,) = [
        entry
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "marketplace.payment.tasks.refunds_pending_sweep_task"
    ]
    assert entry["schedule"].minute == set(range(0, 60, 5))
    assert entry["task"] in app.tasks
