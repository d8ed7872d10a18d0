from decimal import Decimal

import pytest

from core.money import MoneyError
from marketplace.checkout.forms import ShippingAddressForm
from marketplace.payment import gateway

from .conftest import basket_with, start_payment

VALID = {
    "last_name": "张三",
    "state": "浙江省",
    "line4": "杭州市",
    "line3": "西湖区",
    "line1": "文三路 90 号",
    "postcode": "310012",
    "phone_number": "13800138000",
}


@pytest.mark.django_db
def test_chinese_address_is_accepted():
    form = ShippingAddressForm(VALID)
    assert form.is_valid(), form.errors
    assert str(form.cleaned_data["phone_number"]) == "+8613800138000"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("postcode", "31001"),
        ("phone_number", "02188886666"),
        ("phone_number", "1380013800"),
        ("line3", ""),
    ],
)
def test_bad_address_fields_are_refused(field, value):
    form = ShippingAddressForm({**VALID, field: value})
    assert not form.is_valid()
    assert field in form.errors


def test_amounts_go_to_stripe_in_whole_fen():
    assert gateway.to_fen(Decimal("66.50")) == 6650
    assert gateway.from_fen(3801) == Decimal("38.01")
    with pytest.raises(MoneyError):
        gateway.to_fen(38.1)


@pytest.mark.django_db
def test_alipay_and_wechat_pay_only_when_enabled(stripe_fake, customer, two_cooperatives, settings):
    settings.STRIPE_ALIPAY_ENABLED = True
    settings.STRIPE_WECHAT_PAY_ENABLED = True
    tea, _honey = two_cooperatives

    start_payment(customer, basket_with(customer, [(tea, 1)]))

    (create,) = stripe_fake.calls_to("POST", "/v1/payment_intents")
    assert create[2]["payment_method_types"] == ["card", "alipay", "wechat_pay"]


@pytest.mark.django_db
def test_pay_page_shows_alipay_and_wechat_buttons_when_enabled(
    client, stripe_fake, customer, two_cooperatives, settings
):
    settings.STRIPE_ALIPAY_ENABLED = True
    settings.STRIPE_WECHAT_PAY_ENABLED = True
    tea, _honey = two_cooperatives
    attempt = start_payment(customer, basket_with(customer, [(tea, 1)]))
    client.force_login(customer)
    session = client.session
    session["stripe_payment_attempt_id"] = attempt.pk
    session.save()

    page = client.get("/shop/checkout/stripe/pay/").content.decode()

    assert "confirmAlipayPayment" in page and 'id="pay-alipay"' in page
    assert 'id="pay-wechat"' in page
    assert settings.STRIPE_JS_URL in page
