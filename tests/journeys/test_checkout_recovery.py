"""Journeys: a checkout that always ends well. A consumer whose first card is declined pays
the same order with another card; a consumer who leaves the pay page, or whose hold runs out
on it, finds their items back in the basket, with a message, and the held stock released; a
second checkout offers the address of the first."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from oscar.core.loading import get_model

from tests.factories import PASSWORD, UserFactory
from tests.store_factories import product_create

from .conftest import ARTIFACTS, login

Order = get_model("order", "Order")
PaymentAttempt = get_model("payment", "PaymentAttempt")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.integration

DECLINED = "4000000000000341"  # localstripe attaches it, then the charge fails
VISA = "4242424242424242"


def to_the_pay_page(page, product) -> None:
    """Put one `product` in the basket and go through checkout to the pay page."""
    page.goto(product.get_absolute_url())
    page.click("#add_to_basket_form button[type=submit]")
    page.goto("/shop/checkout/")
    page.wait_for_url("**/checkout/shipping-address/")
    page.fill("#id_last_name", "李四")
    page.fill("#id_state", "上海市")
    page.fill("#id_line4", "上海市")
    page.fill("#id_line3", "徐汇区")
    page.fill("#id_line1", "漕溪北路 88 号 1201 室")
    page.fill("#id_postcode", "200030")
    page.fill("#id_phone_number", "13912345678")
    page.click("#new_shipping_address button[type=submit]")
    page.wait_for_url("**/checkout/preview/")
    page.click("#place-order")
    page.wait_for_url("**/checkout/stripe/pay/")


def pay_with(page, number: str) -> None:
    card = page.locator("#card-element")
    card.locator("input[name=number]").fill(number)
    card.locator("input[name=exp_month]").fill("12")
    card.locator("input[name=exp_year]").fill("34")
    card.locator("input[name=cvc]").fill("123")
    card.locator("input[name=postal_code]").fill("200030")
    page.click("#pay-card")


def test_a_declined_card_then_another_card_pays_the_same_order(page, localstripe, china):
    tea = product_create(title="昭觉苦荞茶", price=Decimal("38.00"), num_in_stock=5)
    consumer = UserFactory(email="li.si@dongxi.example", last_name="李", first_name="四")
    login(page, consumer, PASSWORD)
    to_the_pay_page(page, tea)

    # When the first card is declined
    pay_with(page, DECLINED)

    # Then the pay page says so, in Chinese, and stays open for another card
    message = page.locator("#payment-message")
    message.wait_for(state="visible")
    assert message.inner_text() == "银行卡被拒绝，请换一张卡再试。"
    assert "/checkout/stripe/pay/" in page.url
    assert page.locator("#pay-card").is_enabled()

    # And another card pays the same order
    pay_with(page, VISA)
    page.wait_for_url("**/checkout/thank-you/")
    attempt = PaymentAttempt.objects.get()
    order = Order.objects.get(user=consumer)
    assert order.number == attempt.order_number
    assert order.number in page.inner_text("body")
    assert order.total_incl_tax == Decimal("38.00")
    assert StockRecord.objects.get(product=tea).net_stock_level == 4
    assert page.js_errors == []


def test_leaving_the_pay_page_gives_the_basket_back(page, localstripe, china):
    tea = product_create(title="昭觉苦荞茶", price=Decimal("38.00"), num_in_stock=5)
    consumer = UserFactory(email="wang.wu@dongxi.example", last_name="王", first_name="五")
    login(page, consumer, PASSWORD)
    to_the_pay_page(page, tea)

    # The pay page says how long the stock is held, never "0 minutes"
    notice = page.inner_text("#hold-notice")
    assert "商品库存为您保留 15 分钟" in notice, notice
    assert StockRecord.objects.get(product=tea).num_allocated == 1

    # When the consumer leaves the pay page for the catalogue, then opens the basket
    page.goto("/shop/catalogue/")
    assert "您尚未完成支付，商品已放回购物车。" in page.inner_text("body")
    page.goto("/shop/basket/")

    # Then the tea is back in the basket, its stock no longer held, and no order was made
    assert "昭觉苦荞茶" in page.inner_text("#basket_formset, main, body")
    assert StockRecord.objects.get(product=tea).num_allocated == 0
    assert PaymentAttempt.objects.get().state == PaymentAttempt.State.ABANDONED
    assert not Order.objects.exists()
    assert page.js_errors == []


def test_a_second_checkout_offers_the_saved_address(page, localstripe, china):
    tea = product_create(title="昭觉苦荞茶", price=Decimal("38.00"), num_in_stock=5)
    honey = product_create(title="昭觉蜂蜜", price=Decimal("66.50"), num_in_stock=5)
    consumer = UserFactory(email="zhao.liu@dongxi.example", last_name="赵", first_name="六")
    login(page, consumer, PASSWORD)

    # Given a first order paid to a Shanghai address typed in at checkout
    to_the_pay_page(page, tea)
    pay_with(page, VISA)
    page.wait_for_url("**/checkout/thank-you/")
    shipped_to = page.inner_text("#thank-you-shipping-address")
    assert shipped_to.index("上海市") < shipped_to.index("徐汇区") < shipped_to.index("漕溪北路")

    # When they buy again
    page.goto(honey.get_absolute_url())
    page.click("#add_to_basket_form button[type=submit]")
    page.goto("/shop/checkout/")
    page.wait_for_url("**/checkout/shipping-address/")

    # Then the address is offered, written province first, and one click ships there
    offered = page.locator(".choose-block address").first.inner_text()
    assert "李四" in offered and "139 1234 5678" in offered
    assert offered.index("上海市") < offered.index("徐汇区") < offered.index("漕溪北路 88 号")
    assert page.input_value("#id_line1") == ""  # the form starts empty: the book holds it
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "saved_address_offered.png"), full_page=True)
    page.click(".choose-block button.ship-address")
    page.wait_for_url("**/checkout/preview/")
    preview = page.inner_text("#preview-shipping-address")
    assert preview.index("上海市") < preview.index("徐汇区") < preview.index("漕溪北路 88 号")
    page.click("#place-order")
    page.wait_for_url("**/checkout/stripe/pay/")
    pay_with(page, VISA)
    page.wait_for_url("**/checkout/thank-you/")
    second = Order.objects.filter(user=consumer).order_by("-pk").first()
    assert second.shipping_address.line1 == "漕溪北路 88 号 1201 室"
    assert consumer.addresses.get().num_orders_as_shipping_address == 2
    assert page.js_errors == []


def test_a_lapsed_hold_says_so_on_the_pay_page_and_gives_the_basket_back(page, localstripe, china):
    tea = product_create(title="昭觉苦荞茶", price=Decimal("38.00"), num_in_stock=5)
    consumer = UserFactory(email="sun.qi@dongxi.example", last_name="孙", first_name="七")
    login(page, consumer, PASSWORD)
    to_the_pay_page(page, tea)

    # Given a hold with three seconds left when the pay page is opened
    PaymentAttempt.objects.update(expires_at=timezone.now() + datetime.timedelta(seconds=3))
    page.reload()
    assert "商品库存为您保留 1 分钟" in page.inner_text("#hold-notice")

    # When it runs out, the page says so, stops taking payments and offers the basket back
    expired = page.locator("#hold-expired")
    expired.wait_for(state="visible", timeout=10_000)
    assert "保留时间已到，商品库存已释放。" in expired.inner_text()
    assert page.locator("#pay-card").is_disabled()
    page.click("#hold-expired a")

    # Then the basket holds the tea again, with a message saying why, and nothing is held
    page.wait_for_url("**/basket/")
    body = page.inner_text("body")
    assert "支付已超时，商品库存已释放，商品已放回购物车。" in body
    assert "昭觉苦荞茶" in body
    assert StockRecord.objects.get(product=tea).num_allocated == 0
    assert PaymentAttempt.objects.get().state == PaymentAttempt.State.EXPIRED
    assert page.js_errors == []
