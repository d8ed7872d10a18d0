"""One settlement recorder for every way an order is paid: card, bank transfer (and the
invoices settled through it). Each writes the source, one PAID event whose lines carry
their units and their price after discounts, and one announcement."""

from decimal import Decimal

import pytest
from oscar.core.loading import get_model

from marketplace.payment.events import PAID
from marketplace.payment.services import order_refund_offline, order_settle_offline
from marketplace.payment.services.settlement import payment_event_type
from tests.marketplace.checkout.conftest import basket_with

from .conftest import discounted_order_paid, ten_percent_off

PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventType = get_model("order", "PaymentEventType")
Order = get_model("order", "Order")

pytestmark = pytest.mark.django_db


def _rows(event) -> dict[str, tuple[int, Decimal]]:
    return {
        title: (quantity, amount)
        for title, quantity, amount in event.line_quantities.values_list(
            "line__title", "quantity", "amount"
        )
    }


def test_a_card_payment_records_each_lines_price_after_discounts(
    stripe_fake, customer, two_cooperatives, announced, django_capture_on_commit_callbacks
):
    tea, honey = two_cooperatives
    with django_capture_on_commit_callbacks(execute=True):
        order = discounted_order_paid(
            stripe=stripe_fake, user=customer, items=[(tea, 3), (honey, 1)]
        )

    event = PaymentEvent.objects.get(order=order)
    assert event.event_type.code == PAID
    assert _rows(event) == {"昭觉蜂蜜": (1, Decimal("59.85")), "凉山苦荞茶": (3, Decimal("102.60"))}
    # The lines' money is what was paid, less shipping (free here)
    assert event.amount == Decimal("162.45") == sum(a for _q, a in _rows(event).values())
    assert order.sources.get().amount_debited == event.amount
    assert announced == [("settled", order.number, event.pk)]


def test_a_transfer_is_recorded_by_the_same_recorder_once(
    customer, staff, two_cooperatives, announced, django_capture_on_commit_callbacks
):
    from marketplace.payment.services.checkout import order_create_from_basket
    from tests.marketplace.checkout.conftest import ADDRESS

    tea, honey = two_cooperatives
    ten_percent_off()
    order = order_create_from_basket(
        basket=basket_with(customer, [(tea, 2), (honey, 1)]),
        user=customer,
        shipping_address=ADDRESS,
        shipping_method_code="free-shipping",
        order_number="T-100001",
    )

    with django_capture_on_commit_callbacks(execute=True):
        event = order_settle_offline(order=order, reference="BANK-1", source_name="对公转账")
        again = order_settle_offline(order=order, reference="BANK-1", source_name="对公转账")

    assert again == event
    assert _rows(event) == {"昭觉蜂蜜": (1, Decimal("59.85")), "凉山苦荞茶": (2, Decimal("68.40"))}
    assert announced == [("settled", order.number, event.pk)]

    # A refund paid back by transfer is priced like a card refund
    with django_capture_on_commit_callbacks(execute=True):
        refund = order_refund_offline(
            order=order,
            lines_quantities={order.lines.get(product=tea): 1},
            reference="BANK-R1",
            actor=staff,
        )
    assert refund.amount == Decimal("34.20")
    assert _rows(refund) == {"凉山苦荞茶": (1, Decimal("34.20"))}
    assert order.sources.get().amount_refunded == Decimal("34.20")


def test_event_kinds_are_created_once_with_their_names(db):
    paid = payment_event_type(code=PAID)
    assert payment_event_type(code=PAID) == paid
    assert PaymentEventType.objects.filter(code=PAID).count() == 1
    assert paid.name == "支付"
