"""Journey: a consumer in Hangzhou finds Zhaojue county's buckwheat tea, pays by card on the
pay page exactly as the demo serves it (localstripe's Stripe.js stand-in), sees the order
placed and, on the order page, the households the purchase reached."""

from decimal import Decimal

import pytest
from oscar.core.loading import get_model

from producers.models import BenefitKind, Region
from tests.factories import (
    PASSWORD,
    BenefitLinkFactory,
    BenefitSchemeFactory,
    CityFactory,
    HouseholdFactory,
    TownshipFactory,
    UserFactory,
    VillageFactory,
)
from tests.store_factories import certified_cooperative, product_create

from .conftest import login

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.integration


def county_product(*, county_name: str, code: str, title: str, price: str):
    liangshan = Region.objects.filter(name="凉山彝族自治州").first() or CityFactory(
        name="凉山彝族自治州", parent__name="四川省"
    )
    county = liangshan.children.create(
        name=county_name,
        code=code,
        level=Region.Level.COUNTY,
        side=Region.Side.WEST,
        is_poor_county=True,
        is_deep_poverty=True,
    )
    village = VillageFactory(parent=TownshipFactory(parent=county), name="火普村")
    cooperative = certified_cooperative(village=village, legal_name=f"{county_name}合作社")
    # 30% of each sale goes to the two households who supply it, by their shares 1 : 3
    BenefitSchemeFactory(cooperative=cooperative)
    for share in ("1.00", "3.00"):
        BenefitLinkFactory(
            cooperative=cooperative,
            household=HouseholdFactory(village=village),
            kind=BenefitKind.PRODUCE_SUPPLY,
            supply_share=Decimal(share),
        )
    return product_create(cooperative=cooperative, title=title, price=Decimal(price))


def test_consumer_finds_a_county_product_and_pays_by_card(page, localstripe, china):
    # Given products of two Liangshan counties and a registered consumer
    tea = county_product(county_name="昭觉县", code="513431", title="昭觉苦荞茶", price="38.00")
    county_product(county_name="布拖县", code="513429", title="布拖高山洋芋", price="25.00")
    consumer = UserFactory(email="zhang.san@dongxi.example", last_name="张", first_name="三")
    login(page, consumer, PASSWORD)

    # When they filter the store by Zhaojue county
    page.goto("/shop/catalogue/")
    page.select_option("#id_county", label="昭觉县")
    page.click("#store-filter-form button[type=submit]")
    page.wait_for_url("**county=513431**")
    titles = page.locator(".product_pod h3").all_inner_texts()
    assert titles == ["昭觉苦荞茶"]

    # And open the product: it says where it comes from and how many households it helps
    page.click("text=昭觉苦荞茶")
    assert "昭觉县" in page.inner_text("main, body")
    assert page.inner_text("#product-origin-households").strip()
    page.click("#add_to_basket_form button[type=submit]")

    # And check out with a Chinese address
    page.goto("/shop/checkout/")
    page.wait_for_url("**/checkout/shipping-address/")
    page.fill("#id_last_name", "张三")
    page.fill("#id_state", "浙江省")
    page.fill("#id_line4", "杭州市")
    page.fill("#id_line3", "西湖区")
    page.fill("#id_line1", "文三路 90 号 3 幢 201 室")
    page.fill("#id_postcode", "310012")
    page.fill("#id_phone_number", "13800138000")
    page.click("#new_shipping_address button[type=submit]")
    page.wait_for_url("**/checkout/preview/")
    page.click("#place-order")

    # And pay by card on the pay page (Stripe.js from localstripe)
    page.wait_for_url("**/checkout/stripe/pay/")
    card = page.locator("#card-element")
    # whose boxes say what goes in them, in Chinese, the year in two digits
    assert card.locator("input[name=number]").get_attribute("placeholder") == "卡号"
    assert card.locator("input[name=exp_year]").get_attribute("placeholder") == "年 YY"
    card.locator("input[name=exp_year]").fill("2034")
    assert card.locator("input[name=exp_year]").input_value() == "20"  # stops at two
    card.locator("input[name=number]").fill("4242424242424242")
    card.locator("input[name=exp_month]").fill("12")
    card.locator("input[name=exp_year]").fill("34")
    card.locator("input[name=cvc]").fill("123")
    card.locator("input[name=postal_code]").fill("310012")
    page.click("#pay-card")

    # Then the order is placed once, for the tea, shipped to the Chinese address
    page.wait_for_url("**/checkout/thank-you/")
    order = Order.objects.get(user=consumer)
    assert order.number in page.inner_text("body")
    assert [line.product_id for line in order.lines.all()] == [tea.pk]
    assert order.total_incl_tax == Decimal("38.00")
    assert order.shipping_address.line1 == "文三路 90 号 3 幢 201 室"
    assert StockRecord.objects.get(product=tea).net_stock_level == 19

    # And their order page shows where the money went: Zhaojue, two households, ¥11.40
    page.goto(f"/shop/accounts/orders/{order.number}/")
    trace = page.inner_text(".order-line-trace")
    assert "昭觉县" in trace and "2 户" in trace and "¥11.40" in trace
    assert page.js_errors == []
