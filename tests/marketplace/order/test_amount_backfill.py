"""Migration 0029 fills in the money of payment event lines recorded before they carried
it: a settlement's lines their price after discounts, refunded units line_units_value in
the order they were refunded, and an amount-only refund split over what was left."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from oscar.core.loading import get_model

from marketplace.payment.events import PAID, REFUND
from marketplace.payment.services.settlement import payment_event_type
from tests.producers.income.conftest import order_create

PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")

migration = importlib.import_module(
    "marketplace.order.migrations.0029_payment_event_quantity_amount"
)

pytestmark = pytest.mark.django_db


def _event(order, code, amount, lines):
    event = PaymentEvent.objects.create(
        order=order, amount=amount, event_type=payment_event_type(code=code)
    )
    for line, units in lines:
        # As recorded before amounts: a placeholder the backfill overwrites.
        PaymentEventQuantity.objects.create(event=event, line=line, quantity=units, amount=1)
    return event


def test_the_backfill_gives_each_line_its_money(db):
    from tests.store_factories import product_create

    tea = product_create(title="凉山苦荞茶", price=Decimal("10.00"))
    honey = product_create(title="昭觉蜂蜜", price=Decimal("20.00"))
    order = order_create(items=[(tea, 3, Decimal("10.00")), (honey, 1, Decimal("20.00"))])
    tea_line, honey_line = order.lines.get(product=tea), order.lines.get(product=honey)
    # A ¥1.00 discount on the tea line: ¥29.00 paid for 3 units
    tea_line.line_price_incl_tax = Decimal("29.00")
    tea_line.save()
    paid = _event(order, PAID, Decimal("49.00"), [(tea_line, 3), (honey_line, 1)])
    first = _event(order, REFUND, Decimal("9.67"), [(tea_line, 1)])
    second = _event(order, REFUND, Decimal("9.66"), [(tea_line, 1)])
    outside = _event(order, REFUND, Decimal("10.00"), [])  # made in Stripe's dashboard

    migration.backfill(apps, None)

    def rows(event):
        return list(
            PaymentEventQuantity.objects.filter(event=event)
            .order_by("line_id")
            .values_list("line_id", "quantity", "amount")
        )

    assert rows(paid) == [(tea_line.pk, 3, Decimal("29.00")), (honey_line.pk, 1, Decimal("20.00"))]
    assert rows(first) == [(tea_line.pk, 1, Decimal("9.67"))]
    assert rows(second) == [(tea_line.pk, 1, Decimal("9.66"))]
    # ¥10.00 over what was left (tea ¥9.67, honey ¥20.00), the last line the remainder
    assert rows(outside) == [(tea_line.pk, 0, Decimal("3.26")), (honey_line.pk, 0, Decimal("6.74"))]
