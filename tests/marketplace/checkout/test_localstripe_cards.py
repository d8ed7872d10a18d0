"""The demo's card payments: localstripe's Stripe.js stand-in cannot confirm with a card, so
the pay page hands the stand-in card's test number to the site, which confirms at localstripe.
Only the customer's own pending attempt, and never outside localstripe."""

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from marketplace.checkout.views import SESSION_ATTEMPT
from marketplace.payment import gateway
from tests.factories import UserFactory

from .conftest import basket_with, start_payment

Order = get_model("order", "Order")

VISA = {"number": "4242424242424242", "exp_month": "12", "exp_year": "2030", "cvc": "123"}
THREE_D_SECURE = {**VISA, "number": "4000002760003184"}
DECLINED = {**VISA, "number": "4000000000000341"}  # attaches, then the charge fails

pytestmark = pytest.mark.django_db


def pay_page_of(client, customer, product):
    """The customer at the pay page of a fresh attempt for one unit of `product`."""
    attempt = start_payment(customer, basket_with(customer, [(product, 1)]))
    client.force_login(customer)
    session = client.session
    session[SESSION_ATTEMPT] = attempt.pk
    session.save()
    return attempt


def pay(client, card):
    return client.post(
        reverse("checkout:stripe-test-card"), {"card": card}, content_type="application/json"
    )


@pytest.mark.integration
def test_test_card_pays_and_the_return_places_the_order(
    client, localstripe, customer, two_cooperatives
):
    tea, _honey = two_cooperatives
    attempt = pay_page_of(client, customer, tea)
    page = client.get(reverse("checkout:stripe-pay")).content.decode()
    assert reverse("checkout:stripe-test-card") in page

    answer = pay(client, VISA)

    assert answer.status_code == 200
    assert answer.json() == {"id": attempt.payment_intent_id, "status": "succeeded"}
    client.get(reverse("checkout:stripe-return") + f"?payment_intent={attempt.payment_intent_id}")
    assert Order.objects.get().number == attempt.order_number


@pytest.mark.integration
def test_three_d_secure_card_leaves_authentication_to_the_stand_in(
    client, localstripe, customer, two_cooperatives
):
    tea, _honey = two_cooperatives
    attempt = pay_page_of(client, customer, tea)

    answer = pay(client, THREE_D_SECURE)

    assert answer.json()["status"] == "requires_action"
    assert gateway.payment_intent_retrieve(attempt.payment_intent_id)["status"] == (
        "requires_action"
    )


@pytest.mark.integration
def test_declined_card_gets_a_message_and_no_order(client, localstripe, customer, two_cooperatives):
    tea, _honey = two_cooperatives
    pay_page_of(client, customer, tea)

    answer = pay(client, DECLINED)

    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == "银行卡被拒绝，请换一张卡再试。"
    assert not Order.objects.exists()


def test_incomplete_card_is_refused_in_chinese_without_calling_stripe(
    client, stripe_fake, customer, two_cooperatives
):
    tea, _honey = two_cooperatives
    pay_page_of(client, customer, tea)
    calls_before = len(stripe_fake.calls)

    answer = pay(client, {**VISA, "cvc": "1"})

    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == "请填写完整的卡号、有效期和安全码。"
    assert len(stripe_fake.calls) == calls_before


def test_another_customers_attempt_cannot_be_paid(client, stripe_fake, customer, two_cooperatives):
    tea, _honey = two_cooperatives
    attempt = pay_page_of(client, customer, tea)
    intruder = UserFactory()
    client.force_login(intruder)
    session = client.session
    session[SESSION_ATTEMPT] = attempt.pk
    session.save()

    assert pay(client, VISA).status_code == 404


def test_without_localstripe_the_endpoint_does_not_exist(
    client, settings, stripe_fake, customer, two_cooperatives
):
    settings.STRIPE_LOCALSTRIPE = False
    tea, _honey = two_cooperatives
    pay_page_of(client, customer, tea)

    assert pay(client, VISA).status_code == 404
    page = client.get(reverse("checkout:stripe-pay")).content.decode()
    assert 'data-test-card-url=""' in page
