"""Live product blocks show the store's price, stock and certificate, and never offer a
product that cannot be bought now: uncertified, expired, sold out or of a suspended
cooperative."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from producers.models import Cooperative
from tests.factories import CountyFactory, PairingFactory, VillageFactory
from tests.store_factories import certified_cooperative, product_create, sales_channel_create

from .conftest import county_page_create, home_with_products, zone_page_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def unsellable():
    """One product for each reason a product cannot be bought."""
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    suspended = certified_cooperative()
    products = {
        "uncertified": product_create(title="未认定蜂蜜", certificate_state=None),
        "pending": product_create(title="待认定核桃", certificate_state="pending"),
        "revoked": product_create(title="已撤销花椒", certificate_state="revoked"),
        "expired": product_create(title="认定过期茶叶", valid_to=yesterday),
        "sold_out": product_create(title="售罄土豆", num_in_stock=0),
        "suspended_cooperative": product_create(title="暂停合作社苦荞", cooperative=suspended),
    }
    Cooperative.objects.filter(pk=suspended.pk).update(state=Cooperative.State.SUSPENDED)
    return products


def _cards(response) -> str:
    return response.content.decode()


def test_home_products_block_shows_live_price_stock_and_certificate(client, home_page):
    # Given a certified product in stock featured on the home page
    tea = product_create(title="凉山苦荞茶", price=Decimal("38.00"), num_in_stock=17)
    home_with_products(home_page, tea)

    # When a visitor opens the home page
    page = _cards(client.get("/"))

    # Then the card shows the store's price, stock and certificate number
    assert "凉山苦荞茶" in page
    assert "¥38.00" in page
    assert "17" in page
    assert tea.certificates.get().number in page


def test_home_products_block_never_offers_unsellable_products(client, home_page, unsellable):
    tea = product_create(title="凉山苦荞茶")
    home_with_products(home_page, tea, *unsellable.values())

    page = _cards(client.get("/"))

    assert "凉山苦荞茶" in page
    for product in unsellable.values():
        assert product.title not in page
        assert f'data-product="{product.pk}"' not in page


def test_price_change_in_the_store_shows_on_the_next_request(client, home_page):
    tea = product_create(title="凉山苦荞茶", price=Decimal("38.00"))
    home_with_products(home_page, tea)
    tea.stockrecords.update(price=Decimal("35.50"))

    page = _cards(client.get("/"))

    assert "¥35.50" in page
    assert "¥38.00" not in page


def test_county_page_lists_only_buyable_products_of_the_county(client, home_page, unsellable):
    # Given a county with one sellable and several unsellable products
    cooperative = certified_cooperative()
    county = cooperative.county
    product_create(title="火普村马铃薯", cooperative=cooperative)
    product_create(title="火普村售罄鸡蛋", cooperative=cooperative, num_in_stock=0)
    product_create(title="火普村未认定荞麦", cooperative=cooperative, certificate_state=None)
    county_page_create(home=home_page, region=county)

    page = _cards(client.get(f"/county-{county.pk}/"))

    assert "火普村马铃薯" in page
    assert "火普村售罄鸡蛋" not in page
    assert "火普村未认定荞麦" not in page


def test_campaign_zone_offers_paired_products_through_its_channel(client, home_page):
    # Given Hangzhou's zone and a county of the prefecture Hangzhou is paired with
    pairing = PairingFactory(west_region=CountyFactory().parent)
    county = CountyFactory(parent=pairing.west_region)
    cooperative = certified_cooperative(village=VillageFactory(parent__parent=county))
    rice = product_create(title="台江糯米", cooperative=cooperative)
    sold_out = product_create(title="台江售罄米", cooperative=cooperative, num_in_stock=0)
    unpaired = product_create(title="别处的蜂蜜")
    channel = sales_channel_create(code="hangzhou-zone", region=pairing.east_region)
    zone_page_create(home=home_page, channel=channel)

    # When a visitor opens the zone
    response = client.get("/hangzhou-zone/")
    page = _cards(response)

    # Then only the paired county's buyable product is offered, and its link goes through
    # the store's channel entry back to the product
    assert "台江糯米" in page
    assert sold_out.title not in page
    assert unpaired.title not in page
    (item, shop_url) = response.context["zone_products"][0]
    assert item.product == rice
    entered = client.get(shop_url)
    assert entered.url == rice.get_absolute_url()
    assert client.session["sales_channel_code"] == "hangzhou-zone"
