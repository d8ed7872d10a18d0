"""Orders and payment events as the store records them, without going through Stripe."""

import datetime
import itertools
from decimal import Decimal

import pytest
from oscar.core.loading import get_model

from marketplace.order.selectors import line_units_value
from marketplace.payment.events import REFUND
from marketplace.payment.services.settlement import refund_amount_split, refunded_by_line
from producers.models import BenefitKind
from tests.factories import (
    BenefitLinkFactory,
    BenefitSchemeFactory,
    HouseholdFactory,
    TownshipFactory,
    VillageFactory,
    WageRecordFactory,
)
from tests.store_factories import certified_cooperative, product_create

Order = get_model("order", "Order")
Line = get_model("order", "Line")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventType = get_model("order", "PaymentEventType")
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")
StockRecord = get_model("partner", "StockRecord")

_numbers = itertools.count(700001)
PAY_DAY = datetime.datetime(2026, 5, 20, 10, 0, tzinfo=datetime.UTC)


def _event_type(code: str, name: str):
    return PaymentEventType.objects.get_or_create(code=code, defaults={"name": name})[0]


def order_create(*, items, when: datetime.datetime = PAY_DAY):
    """An order of `items` [(product, quantity, unit price)] placed at `when`."""
    total = sum((price * qty for _p, qty, price in items), Decimal("0.00"))
    order = Order.objects.create(
        number=str(next(_numbers)),
        site_id=1,
        currency="CNY",
        total_incl_tax=total,
        total_excl_tax=total,
        shipping_incl_tax=Decimal("0.00"),
        shipping_excl_tax=Decimal("0.00"),
        guest_email="buyer@dongxi.example",
        date_placed=when,
    )
    for product, qty, price in items:
        record = StockRecord.objects.filter(product=product).first()
        Line.objects.create(
            order=order,
            partner=record.partner if record else None,
            partner_name=record.partner.name if record else "",
            partner_sku=record.partner_sku if record else "sku",
            stockrecord=record,
            product=product,
            title=product.title,
            quantity=qty,
            line_price_incl_tax=price * qty,
            line_price_excl_tax=price * qty,
            line_price_before_discounts_incl_tax=price * qty,
            line_price_before_discounts_excl_tax=price * qty,
            unit_price_incl_tax=price,
            unit_price_excl_tax=price,
            num_allocated=qty,
            cooperative=product.cooperative,
        )
    return order


def _event(*, order, code, name, amount, lines, when):
    event = PaymentEvent.objects.create(
        order=order,
        amount=amount,
        reference=f"{code}-{order.number}-{PaymentEvent.objects.count()}",
        event_type=_event_type(code, name),
    )
    done = refunded_by_line(order=order) if code == REFUND else {}
    for line, qty in lines:
        amount = line_units_value(line=line, units=qty, already=done.get(line.pk, (0, 0))[0])
        PaymentEventQuantity.objects.create(event=event, line=line, quantity=qty, amount=amount)
    if code == REFUND and not lines:  # made in Stripe's dashboard: split as the store does
        every = {line.pk: line for line in order.lines.all()}
        for line, qty, money in refund_amount_split(lines=every, amount=amount, done=done):
            PaymentEventQuantity.objects.create(event=event, line=line, quantity=qty, amount=money)
    PaymentEvent.objects.filter(pk=event.pk).update(date_created=when)
    event.refresh_from_db()
    return event


def settlement_record(*, order, when: datetime.datetime = PAY_DAY):
    """The store's "paid" event for every line of the order."""
    lines = list(order.lines.order_by("pk"))
    return _event(
        order=order,
        code="paid",
        name="支付",
        amount=order.total_incl_tax,
        lines=[(line, line.quantity) for line in lines],
        when=when,
    )


def refund_record(*, order, lines=(), amount=None, when: datetime.datetime | None = None):
    """A "refund" event: of `lines` [(line, units)], or of an amount only (no quantities)."""
    if amount is None:
        amount = sum((line.unit_price_incl_tax * qty for line, qty in lines), Decimal("0.00"))
    return _event(
        order=order,
        code="refund",
        name="退款",
        amount=amount,
        lines=list(lines),
        when=when or PAY_DAY + datetime.timedelta(days=3),
    )


def household_in(cooperative, **kwargs):
    village = VillageFactory(parent=TownshipFactory(parent=cooperative.county))
    return HouseholdFactory(village=village, **kwargs)


@pytest.fixture
def linked_cooperative(db):
    """A cooperative with a scheme (30% produce, 10% wages, 5% dividends from 2024), two
    produce suppliers (shares 1 and 3), one wage worker (20 days in 2026) and two dividend
    holders (¥2,000 and ¥6,000), and one product at ¥38.00."""
    cooperative = certified_cooperative()
    scheme = BenefitSchemeFactory(cooperative=cooperative)
    suppliers = [household_in(cooperative) for _ in range(2)]
    for household, share in zip(suppliers, ("1.00", "3.00"), strict=True):
        BenefitLinkFactory(
            cooperative=cooperative,
            household=household,
            kind=BenefitKind.PRODUCE_SUPPLY,
            supply_share=Decimal(share),
        )
    worker = household_in(cooperative)
    wage_link = BenefitLinkFactory(cooperative=cooperative, household=worker)
    WageRecordFactory(
        link=wage_link,
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 4, 30),
        days_worked=Decimal("20.0"),
    )
    holders = [household_in(cooperative) for _ in range(2)]
    for household, equity in zip(holders, ("2000.00", "6000.00"), strict=True):
        BenefitLinkFactory(
            cooperative=cooperative,
            household=household,
            kind=BenefitKind.DIVIDEND,
            equity_shares=Decimal(equity),
        )
    product = product_create(cooperative=cooperative, price=Decimal("38.00"))
    return {
        "cooperative": cooperative,
        "scheme": scheme,
        "suppliers": suppliers,
        "worker": worker,
        "holders": holders,
        "product": product,
    }
