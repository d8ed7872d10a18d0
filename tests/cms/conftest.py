"""Settled purchases as the store records them (an order, a "paid" payment event, maybe a
refund), without going through Stripe; and the CMS pages the tests render."""

import itertools
from decimal import Decimal

import pytest
from django.utils import timezone
from oscar.core.loading import get_model
from wagtail.models import Locale

from cms.models import CampaignZonePage, CountyPage, HomePage
from marketplace.order.selectors import line_units_value
from marketplace.payment.events import REFUND, payment_refunded, payment_settled
from marketplace.payment.services.settlement import refunded_by_line

Order = get_model("order", "Order")
Line = get_model("order", "Line")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventType = get_model("order", "PaymentEventType")
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")
StockRecord = get_model("partner", "StockRecord")

_numbers = itertools.count(880001)


def _event(*, order, code: str, name: str, amount: Decimal, lines) -> object:
    event_type = PaymentEventType.objects.get_or_create(code=code, defaults={"name": name})[0]
    event = PaymentEvent.objects.create(
        order=order, amount=amount, reference=f"{code}-{order.number}", event_type=event_type
    )
    done = refunded_by_line(order=order) if code == REFUND else {}
    for line, quantity in lines:
        already = done.get(line.pk, (0, 0))[0]
        amount = line_units_value(line=line, units=quantity, already=already)
        PaymentEventQuantity.objects.create(
            event=event, line=line, quantity=quantity, amount=amount
        )
    return event


def purchase(*, items, user=None, organisation=None, channel=None, paid=True, when=None):
    """An order of `items` [(product, quantity)] at the products' stock price, settled
    (paid) unless told otherwise, announced as the store announces it."""
    when = when or timezone.now()
    priced = [(p, q, StockRecord.objects.filter(product=p).first().price) for p, q in items]
    total = sum((price * qty for _p, qty, price in priced), Decimal("0.00"))
    order = Order.objects.create(
        number=str(next(_numbers)),
        site_id=1,
        currency="CNY",
        total_incl_tax=total,
        total_excl_tax=total,
        shipping_incl_tax=Decimal("0.00"),
        shipping_excl_tax=Decimal("0.00"),
        user=user,
        guest_email="" if user else "guest@dongxi.example",
        organisation=organisation,
        sales_channel=channel,
        date_placed=when,
    )
    for product, qty, price in priced:
        record = StockRecord.objects.filter(product=product).first()
        Line.objects.create(
            order=order,
            partner=record.partner,
            partner_name=record.partner.name,
            partner_sku=record.partner_sku,
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
    if paid:
        lines = [(line, line.quantity) for line in order.lines.order_by("pk")]
        event = _event(order=order, code="paid", name="支付", amount=total, lines=lines)
        payment_settled.send(sender=Order, order=order, payment_event=event)
    return order


def refund(*, order, lines) -> object:
    """A refund of `lines` [(line, units)] of a settled order."""
    amount = sum((line.unit_price_incl_tax * qty for line, qty in lines), Decimal("0.00"))
    event = _event(order=order, code="refund", name="退款", amount=amount, lines=lines)
    payment_refunded.send(sender=Order, order=order, payment_event=event, lines=lines)
    return event


def county_page_create(*, home: HomePage, region, title: str = "昭觉县") -> CountyPage:
    page = CountyPage(title=title, slug=f"county-{region.pk}", region=region)
    home.add_child(instance=page)
    page.save_revision().publish()
    translation = page.copy_for_translation(Locale.objects.get(language_code="en"))
    translation.title = f"{title} (en)"
    translation.save_revision().publish()
    return page


def zone_page_create(*, home: HomePage, channel) -> CampaignZonePage:
    page = CampaignZonePage(title=channel.name, slug=channel.code, channel=channel)
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def products_block(*products) -> dict:
    return {
        "type": "products",
        "value": {"heading": "精选", "products": [str(p.pk) for p in products]},
    }


def home_with_products(home: HomePage, *products) -> HomePage:
    home.body = [*home.body.raw_data, products_block(*products)]
    home.save_revision().publish()
    return home


@pytest.fixture
def settle(django_capture_on_commit_callbacks):
    """purchase(...) with the store's on-commit announcements (and the income ledger's
    tasks) run, as they are after a real checkout."""

    def _settle(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return purchase(**kwargs)

    return _settle
