"""An order placed from a campaign zone's "buy" link carries the zone's sales channel."""

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from marketplace.payment import gateway
from tests.factories import CountyFactory, PairingFactory, UserFactory, VillageFactory
from tests.marketplace.checkout.stripe_fake import FakeStripe
from tests.store_factories import certified_cooperative, product_create, sales_channel_create

from .conftest import zone_page_create

Order = get_model("order", "Order")
PaymentAttempt = get_model("payment", "PaymentAttempt")

pytestmark = pytest.mark.django_db

ADDRESS = {
    "last_name": "张三",
    "state": "浙江省",
    "line4": "杭州市",
    "line3": "西湖区",
    "line1": "文三路 90 号",
    "postcode": "310012",
    "phone_number": "13800138000",
}


@pytest.fixture
def stripe_fake():
    fake = FakeStripe()
    gateway.http_client_install(fake)
    yield fake
    gateway.http_client_install(None)


def test_order_placed_from_a_campaign_zone_carries_its_channel(client, home_page, stripe_fake):
    # Given Hangzhou's zone offering rice from a county of its paired prefecture
    pairing = PairingFactory(west_region=CountyFactory().parent)
    county = CountyFactory(parent=pairing.west_region)
    cooperative = certified_cooperative(village=VillageFactory(parent__parent=county))
    rice = product_create(title="台江糯米", cooperative=cooperative)
    channel = sales_channel_create(code="hangzhou-zone", region=pairing.east_region)
    zone = zone_page_create(home=home_page, channel=channel)
    client.force_login(UserFactory())

    # When a customer follows the zone's "buy" link and checks out
    _item, shop_url = client.get(zone.url).context["zone_products"][0]
    product_page = client.get(shop_url, follow=True)
    assert product_page.context["product"] == rice
    client.post(reverse("basket:add", kwargs={"pk": rice.pk}), {"quantity": 2})
    client.post(reverse("checkout:shipping-address"), ADDRESS)
    client.get(reverse("checkout:shipping-method"))  # the only method is chosen for us
    client.post(reverse("checkout:preview"), {"action": "place_order"})
    attempt = PaymentAttempt.objects.get()
    stripe_fake.succeed(attempt.payment_intent_id)
    client.get(reverse("checkout:stripe-return"), {"payment_intent": attempt.payment_intent_id})

    # Then the order records the zone's channel
    assert Order.objects.get().sales_channel == channel
