"""An order two cooperatives share, as the store records it, for dashboard tests."""

from django.utils import timezone
from oscar.core.loading import get_model

from tests.producers.income.conftest import order_create
from tests.store_factories import china_country

Order = get_model("order", "Order")
ShippingAddress = get_model("order", "ShippingAddress")


def shared_order_create(*, items) -> Order:
    """An order placed now of `items` [(product, quantity, unit price)], each line with its
    product's cooperative and partner, shipped to one address in Hangzhou."""
    order = order_create(items=items, when=timezone.now())
    order.shipping_address = ShippingAddress.objects.create(
        first_name="三",
        last_name="张",
        line1="文三路 90 号",
        line4="杭州市",
        state="浙江省",
        postcode="310012",
        country=china_country(),
    )
    order.save(update_fields=["shipping_address"])
    return order
