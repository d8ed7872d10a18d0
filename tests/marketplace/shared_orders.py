"""An order two cooperatives share, as the store records it, for dashboard tests."""

import itertools
from decimal import Decimal

from django.utils import timezone
from oscar.core.loading import get_model

from tests.store_factories import china_country

Line = get_model("order", "Line")
Order = get_model("order", "Order")
ShippingAddress = get_model("order", "ShippingAddress")
StockRecord = get_model("partner", "StockRecord")

_numbers = itertools.count(810001)


def shared_order_create(*, items) -> Order:
    """An order placed now of `items` [(product, quantity, unit price)], each line with its
    product's cooperative and partner, shipped to one address in Hangzhou."""
    address = ShippingAddress.objects.create(
        first_name="三",
        last_name="张",
        line1="文三路 90 号",
        line4="杭州市",
        state="浙江省",
        postcode="310012",
        country=china_country(),
    )
    total = sum((price * quantity for _product, quantity, price in items), Decimal("0.00"))
    order = Order.objects.create(
        number=str(next(_numbers)),
        site_id=1,
        currency="CNY",
        total_incl_tax=total,
        total_excl_tax=total,
        shipping_incl_tax=Decimal("0.00"),
        shipping_excl_tax=Decimal("0.00"),
        guest_email="buyer@dongxi.example",
        shipping_address=address,
        date_placed=timezone.now(),
    )
    for product, quantity, price in items:
        record = StockRecord.objects.get(product=product)
        Line.objects.create(
            order=order,
            partner=record.partner,
            partner_name=record.partner.name,
            partner_sku=record.partner_sku,
            stockrecord=record,
            product=product,
            cooperative=product.cooperative,
            title=product.title,
            quantity=quantity,
            line_price_incl_tax=price * quantity,
            line_price_excl_tax=price * quantity,
            line_price_before_discounts_incl_tax=price * quantity,
            line_price_before_discounts_excl_tax=price * quantity,
            unit_price_incl_tax=price,
            unit_price_excl_tax=price,
            num_allocated=quantity,
        )
    return order
