"""Payments and refunds recorded without Stripe (transfers, demo history) look exactly like
a card payment's to the layers above: Oscar Source and PaymentEvent with line quantities,
announced once."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from oscar.core.loading import get_model

from marketplace.payment.events import payment_refunded, payment_settled
from marketplace.payment.services import (
    RefundError,
    order_refund_offline,
    order_settle_offline,
)
from tests.factories import UserFactory

from .conftest import LAST_YEAR

PaymentEvent = get_model("order", "PaymentEvent")

pytestmark = pytest.mark.django_db


@pytest.fixture
def announced():
    seen = []

    def receiver(sender, order, payment_event, **kwargs):
        seen.append((payment_event.event_type.code, payment_event.pk))

    payment_settled.connect(receiver)
    payment_refunded.connect(receiver)
    yield seen
    payment_settled.disconnect(receiver)
    payment_refunded.disconnect(receiver)


def test_offline_settlement_records_the_payment_like_a_card_and_announces_it_once(
    unpaid_order, announced, django_capture_on_commit_callbacks
):
    # When a transfer is recorded twice for the order, dated last year
    with django_capture_on_commit_callbacks(execute=True):
        first = order_settle_offline(order=unpaid_order, reference="T-1", settled_at=LAST_YEAR)
    with django_capture_on_commit_callbacks(execute=True):
        second = order_settle_offline(order=unpaid_order, reference="T-1", settled_at=LAST_YEAR)

    # Then one "paid" event of the whole amount, every line's quantity, dated then
    assert first == second
    first.refresh_from_db()
    assert first.amount == Decimal("142.50") and first.date_created == LAST_YEAR
    assert sorted(q.quantity for q in first.line_quantities.all()) == [1, 2]
    source = unpaid_order.sources.get()
    assert source.amount_debited == Decimal("142.50")
    assert announced == [("paid", first.pk)]


def test_offline_refund_is_recorded_and_announced_once_per_reference(
    unpaid_order, staff, announced, django_capture_on_commit_callbacks
):
    order_settle_offline(order=unpaid_order, reference="T-1")
    tea_line = unpaid_order.lines.get(quantity=2)

    with django_capture_on_commit_callbacks(execute=True):
        refund = order_refund_offline(
            order=unpaid_order, lines_quantities={tea_line: 1}, reference="R-1", actor=staff
        )
    with django_capture_on_commit_callbacks(execute=True):
        again = order_refund_offline(
            order=unpaid_order, lines_quantities={tea_line: 1}, reference="R-1", actor=staff
        )

    assert refund == again and refund.amount == Decimal("38.00")
    assert [(q.line, q.quantity) for q in refund.line_quantities.all()] == [(tea_line, 1)]
    assert unpaid_order.sources.get().amount_refunded == Decimal("38.00")
    assert announced == [("refund", refund.pk)]


def test_offline_refund_of_more_than_was_paid_changes_nothing(unpaid_order, staff):
    order_settle_offline(order=unpaid_order, reference="T-1")
    tea_line = unpaid_order.lines.get(quantity=2)

    with pytest.raises(RefundError):
        order_refund_offline(
            order=unpaid_order, lines_quantities={tea_line: 3}, reference="R-1", actor=staff
        )

    assert not PaymentEvent.objects.filter(event_type__code="refund").exists()


def test_offline_refund_needs_platform_staff(unpaid_order):
    order_settle_offline(order=unpaid_order, reference="T-1")

    with pytest.raises(PermissionDenied):
        order_refund_offline(
            order=unpaid_order,
            lines_quantities={unpaid_order.lines.first(): 1},
            reference="R-1",
            actor=UserFactory(),
        )


def test_unpaid_order_cannot_be_refunded_offline(unpaid_order, staff):
    with pytest.raises(RefundError):
        order_refund_offline(
            order=unpaid_order,
            lines_quantities={unpaid_order.lines.first(): 1},
            reference="R-1",
            actor=staff,
        )
