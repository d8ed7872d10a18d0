from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from oscar.core.loading import get_model

from marketplace.partner.models import SoldOut
from marketplace.payment.events import payment_refunded, payment_settled
from marketplace.payment.services import (
    CheckoutSoldOut,
    RefundError,
    order_place_for_payment,
    order_refund,
    payment_attempt_abandon,
    reservations_release_expired,
)

from .conftest import basket_with, start_payment

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")
PaymentAttempt = get_model("payment", "PaymentAttempt")
StockReservation = get_model("payment", "StockReservation")
PaymentEvent = get_model("order", "PaymentEvent")

pytestmark = pytest.mark.django_db


@pytest.fixture
def signals():
    received = {"settled": [], "refunded": []}

    def settled(sender, order, **kwargs):
        received["settled"].append(order.number)

    def refunded(sender, order, refund, lines, **kwargs):
        received["refunded"].append((order.number, [(line.pk, qty) for line, qty in lines]))

    payment_settled.connect(settled)
    payment_refunded.connect(refunded)
    yield received
    payment_settled.disconnect(settled)
    payment_refunded.disconnect(refunded)


def _stock(product) -> StockRecord:
    return StockRecord.objects.get(product=product)


def test_allocate_refuses_more_units_than_are_left(two_cooperatives):
    tea, _honey = two_cooperatives
    record = _stock(tea)
    record.allocate(4)

    with pytest.raises(SoldOut):
        record.allocate(2)

    record.refresh_from_db()
    assert record.num_allocated == 4


def test_payment_start_holds_stock_and_creates_intent_in_fen(
    stripe_fake, customer, two_cooperatives
):
    tea, honey = two_cooperatives
    basket = basket_with(customer, [(tea, 2), (honey, 1)])

    attempt = start_payment(customer, basket)

    assert attempt.amount == Decimal("142.50")
    assert _stock(tea).num_allocated == 2
    assert _stock(honey).num_allocated == 1
    (create,) = stripe_fake.calls_to("POST", "/v1/payment_intents")
    assert create[2]["amount"] == "14250"
    assert create[2]["currency"] == "cny"
    assert create[2]["payment_method_types"] == ["card"]
    assert create[2]["metadata"]["order_number"] == attempt.order_number
    assert create[3] == f"dongxi-pi-{attempt.pk}"
    assert attempt.payment_intent_id.startswith("pi_fake")


def test_sold_out_basket_gets_a_clear_answer_and_no_payment_intent(
    stripe_fake, customer, two_cooperatives
):
    tea, honey = two_cooperatives
    basket = basket_with(customer, [(honey, 1), (tea, 5)])
    _stock(tea).allocate(1)  # someone else holds one tea

    with pytest.raises(CheckoutSoldOut) as raised:
        start_payment(customer, basket)

    assert "售罄" in str(raised.value.message)
    assert stripe_fake.calls == []
    assert _stock(honey).num_allocated in (0, None)  # the honey hold rolled back
    assert not StockReservation.objects.exists()


def test_order_is_placed_once_with_each_lines_cooperative(
    stripe_fake, customer, two_cooperatives, signals, django_capture_on_commit_callbacks
):
    tea, honey = two_cooperatives
    basket = basket_with(customer, [(tea, 2), (honey, 1)])
    attempt = start_payment(customer, basket)
    stripe_fake.succeed(attempt.payment_intent_id)

    with django_capture_on_commit_callbacks(execute=True):
        first = order_place_for_payment(payment_intent_id=attempt.payment_intent_id)
        second = order_place_for_payment(payment_intent_id=attempt.payment_intent_id)

    assert first == second
    assert Order.objects.count() == 1
    order = Order.objects.get()
    assert order.total_incl_tax == Decimal("142.50")
    assert {line.product_id: line.cooperative_id for line in order.lines.all()} == {
        tea.pk: tea.cooperative_id,
        honey.pk: honey.cooperative_id,
    }
    assert _stock(tea).num_allocated == 2  # the hold became the order's allocation
    assert set(attempt.reservations.values_list("state", flat=True)) == {"converted"}
    assert order.sources.get().amount_debited == Decimal("142.50")
    assert PaymentEvent.objects.get(order=order).event_type.code == "paid"
    assert signals["settled"] == [order.number]


def test_order_is_not_placed_before_the_payment_succeeds(stripe_fake, customer, two_cooperatives):
    tea, _honey = two_cooperatives
    attempt = start_payment(customer, basket_with(customer, [(tea, 1)]))

    assert order_place_for_payment(payment_intent_id=attempt.payment_intent_id) is None
    assert not Order.objects.exists()


def test_abandoned_payment_cancels_intent_and_releases_stock(
    stripe_fake, customer, two_cooperatives
):
    tea, _honey = two_cooperatives
    basket = basket_with(customer, [(tea, 3)])
    attempt = start_payment(customer, basket)
    basket.freeze()

    payment_attempt_abandon(attempt_id=attempt.pk, state=PaymentAttempt.State.FAILED)

    attempt.refresh_from_db()
    basket.refresh_from_db()
    assert attempt.state == "failed"
    assert _stock(tea).num_allocated == 0
    assert stripe_fake.intents[attempt.payment_intent_id]["status"] == "canceled"
    assert basket.status == "Open"


def test_expiry_places_the_order_when_the_payment_did_succeed(
    stripe_fake, customer, two_cooperatives, settings
):
    tea, _honey = two_cooperatives
    settings.STOCK_RESERVATION_MINUTES = 0
    paid = start_payment(customer, basket_with(customer, [(tea, 1)]))
    left = start_payment(customer, basket_with(customer, [(tea, 2)]))
    stripe_fake.succeed(paid.payment_intent_id)

    assert reservations_release_expired() == 1

    paid.refresh_from_db()
    left.refresh_from_db()
    assert paid.state == "succeeded" and paid.order is not None
    assert left.state == "expired"
    assert _stock(tea).num_allocated == 1


def test_pending_hold_is_kept_before_expiry(stripe_fake, customer, two_cooperatives):
    tea, _honey = two_cooperatives
    start_payment(customer, basket_with(customer, [(tea, 1)]))

    assert reservations_release_expired() == 0
    assert _stock(tea).num_allocated == 1


@pytest.fixture
def paid_order(stripe_fake, customer, two_cooperatives):
    tea, honey = two_cooperatives
    attempt = start_payment(customer, basket_with(customer, [(tea, 2), (honey, 1)]))
    stripe_fake.succeed(attempt.payment_intent_id)
    return order_place_for_payment(payment_intent_id=attempt.payment_intent_id)


def test_refund_of_one_line_goes_through_stripe_and_is_recorded_once(
    stripe_fake, paid_order, staff, signals, django_capture_on_commit_callbacks
):
    tea_line = paid_order.lines.get(title="凉山苦荞茶")

    with django_capture_on_commit_callbacks(execute=True):
        refund = order_refund(order=paid_order, lines_quantities={tea_line: 1}, actor=staff)

    (call,) = stripe_fake.calls_to("POST", "/v1/refunds")
    assert call[2]["amount"] == "3800"
    assert call[3] == f"dongxi-refund-{paid_order.number}-1-{tea_line.pk}x1"
    assert refund.amount == Decimal("38.00")
    event = PaymentEvent.objects.get(order=paid_order, event_type__code="refund")
    assert [(q.line_id, q.quantity) for q in event.line_quantities.all()] == [(tea_line.pk, 1)]
    assert paid_order.sources.get().amount_refunded == Decimal("38.00")
    assert signals["refunded"] == [(paid_order.number, [(tea_line.pk, 1)])]


def test_refund_cannot_exceed_what_is_left(stripe_fake, paid_order, staff):
    tea_line = paid_order.lines.get(title="凉山苦荞茶")
    order_refund(order=paid_order, lines_quantities={tea_line: 2}, actor=staff)

    with pytest.raises(RefundError):
        order_refund(order=paid_order, lines_quantities={tea_line: 1}, actor=staff)
    assert len(stripe_fake.calls_to("POST", "/v1/refunds")) == 1


def test_whole_order_refund_refunds_every_unit_left(stripe_fake, paid_order, staff):
    tea_line = paid_order.lines.get(title="凉山苦荞茶")
    order_refund(order=paid_order, lines_quantities={tea_line: 1}, actor=staff)

    refund = order_refund(order=paid_order, lines_quantities=None, actor=staff)

    assert refund.amount == Decimal("104.50")  # one tea and the honey
    assert paid_order.sources.get().amount_refunded == Decimal("142.50")


def test_only_staff_refund(stripe_fake, paid_order, customer):
    with pytest.raises(PermissionDenied):
        order_refund(order=paid_order, lines_quantities=None, actor=customer)
