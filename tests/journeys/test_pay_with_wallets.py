"""Journeys: a consumer pays with Alipay (支付宝) or WeChat Pay (微信支付) on the pay page,
exactly as the demo serves it: localstripe with the two wallets (demo/localstripe_wallets.py)
and its Stripe.js stand-in. Alipay sends them to the wallet and back; WeChat Pay shows its QR
code, which their phone (a second browser, with no session) scans and pays, while the page
waits. Either way the order is placed from the PaymentIntent read back from Stripe and the
payment settled on it."""

from decimal import Decimal

import pytest
import stripe
from django.conf import settings
from oscar.core.loading import get_model

from marketplace.payment import gateway
from tests.factories import PASSWORD, UserFactory
from tests.store_factories import product_create

from .conftest import ARTIFACTS, login
from .test_checkout_recovery import to_the_pay_page

Order = get_model("order", "Order")
PaymentAttempt = get_model("payment", "PaymentAttempt")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.integration


@pytest.fixture
def wallets(settings):
    settings.STRIPE_ALIPAY_ENABLED = True
    settings.STRIPE_WECHAT_PAY_ENABLED = True


def assert_paid_and_settled(consumer, tea, wallet: str, localstripe_url: str) -> Order:
    attempt = PaymentAttempt.objects.get()
    assert attempt.state == PaymentAttempt.State.SUCCEEDED
    order = Order.objects.get(user=consumer)
    assert order.number == attempt.order_number
    assert order.total_incl_tax == Decimal("38.00")
    source = order.sources.get()
    assert source.reference == attempt.payment_intent_id
    assert source.amount_debited == Decimal("38.00")
    assert StockRecord.objects.get(product=tea).net_stock_level == 4
    intent = gateway.payment_intent_retrieve(attempt.payment_intent_id)
    assert intent["status"] == "succeeded"
    stripe_api = stripe.StripeClient(
        settings.STRIPE_SECRET_KEY, base_addresses={"api": localstripe_url}
    )
    method = stripe_api.v1.payment_methods.retrieve(intent["payment_method"])
    assert method.type == wallet
    return order


def test_pay_with_alipay(page, localstripe, wallets, china):
    tea = product_create(title="昭觉苦荞茶", price=Decimal("38.00"), num_in_stock=5)
    consumer = UserFactory(email="chen.qi@dongxi.example", last_name="陈", first_name="七")
    login(page, consumer, PASSWORD)
    to_the_pay_page(page, tea)

    # When the consumer chooses Alipay, they are sent to Alipay
    page.click("#pay-alipay")
    page.wait_for_url("**/_wallets/*/authorize?**")
    assert "支付宝" in page.inner_text("h1") and "38.00" in page.inner_text("#amount")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "alipay_wallet.png"), full_page=True)

    # And approve the payment there
    page.click("#authorize")

    # Then they come back to the store's thank-you page, the order paid and settled
    page.wait_for_url("**/checkout/thank-you/")
    order = assert_paid_and_settled(consumer, tea, "alipay", localstripe)
    assert order.number in page.inner_text("body")
    assert page.js_errors == []


def test_pay_with_wechat_pay(page, browser, localstripe, wallets, china):
    tea = product_create(title="昭觉苦荞茶", price=Decimal("38.00"), num_in_stock=5)
    consumer = UserFactory(email="zhou.ba@dongxi.example", last_name="周", first_name="八")
    login(page, consumer, PASSWORD)
    to_the_pay_page(page, tea)

    # When the consumer chooses WeChat Pay, the pay page shows the QR code Stripe returned
    page.click("#pay-wechat")
    qr = page.locator("#wechat-qr-image")
    qr.wait_for(state="visible")
    assert qr.get_attribute("src").startswith("data:image/png;base64,")
    assert "请用微信扫一扫" in page.inner_text("#wechat-qr")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "wechat_pay_qr_code.png"), full_page=True)
    assert "/checkout/stripe/pay/" in page.url and not Order.objects.exists()

    # And their phone scans it and pays (localstripe's stand-in for WeChat on the phone)
    scanned = page.get_attribute("#localstripe-wechat-scan", "href")
    phone = browser.new_context(locale="zh-CN")
    try:
        wechat = phone.new_page()
        wechat.goto(scanned)
        assert "微信支付" in wechat.inner_text("h1")
        wechat.click("#authorize")
        assert "付款成功" in wechat.inner_text("#status")
    finally:
        phone.close()

    # Then the pay page, which was waiting, goes on to the thank-you page by itself
    page.wait_for_url("**/checkout/thank-you/")
    order = assert_paid_and_settled(consumer, tea, "wechat_pay", localstripe)
    assert order.number in page.inner_text("body")
    assert page.js_errors == []
