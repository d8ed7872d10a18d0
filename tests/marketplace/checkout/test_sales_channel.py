"""The sales channel (an eastern partner's campaign zone) a customer came through reaches
the order, whether the customer's return or Stripe's webhook places it."""

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from marketplace.checkout.views import SESSION_CHANNEL
from tests.store_factories import sales_channel_create

from .conftest import event, webhook_post

Order = get_model("order", "Order")
PaymentAttempt = get_model("payment", "PaymentAttempt")

pytestmark = pytest.mark.django_db

ADDRESS = {
    "last_name": "张三",
    "state": "上海市",
    "line4": "上海市",
    "line3": "徐汇区",
    "line1": "漕溪北路 88 号",
    "postcode": "200030",
    "phone_number": "13800138000",
}


def _enter(client, code, **params):
    return client.get(reverse("checkout:channel-enter", kwargs={"code": code}), params)


def _checkout_to_pay_page(client, products):
    for product, quantity in products:
        client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": quantity})
    client.post(reverse("checkout:shipping-address"), ADDRESS, follow=True)
    response = client.post(reverse("checkout:preview"), {"action": "place_order"})
    assert response.url == reverse("checkout:stripe-pay")
    return PaymentAttempt.objects.get()


def test_anonymous_visitor_entering_a_channel_is_sent_to_the_catalogue(client):
    channel = sales_channel_create()

    response = _enter(client, channel.code)

    assert response.status_code == 302
    assert response.url == reverse("catalogue:index")
    assert client.session[SESSION_CHANNEL] == channel.code


def test_channel_entry_follows_a_local_next_url(client, product_for_sale):
    channel = sales_channel_create()

    response = _enter(client, channel.code, next=product_for_sale.get_absolute_url())

    assert response.url == product_for_sale.get_absolute_url()


def test_channel_entry_ignores_a_next_url_on_another_site(client):
    channel = sales_channel_create()

    response = _enter(client, channel.code, next="https://evil.example/shop/")

    assert response.url == reverse("catalogue:index")


def test_unknown_or_inactive_channel_is_not_found_and_remembers_nothing(client):
    sales_channel_create(code="closed-zone", is_active=False)

    assert _enter(client, "no-such-zone").status_code == 404
    assert _enter(client, "closed-zone").status_code == 404
    assert SESSION_CHANNEL not in client.session


def test_order_placed_by_the_webhook_keeps_the_channel(
    client, stripe_fake, customer, two_cooperatives, django_capture_on_commit_callbacks
):
    # Given a customer who came through Shanghai's campaign zone and reached the pay page
    tea, honey = two_cooperatives
    channel = sales_channel_create()
    _enter(client, channel.code)
    client.force_login(customer)
    attempt = _checkout_to_pay_page(client, [(tea, 1), (honey, 1)])
    assert attempt.sales_channel == channel

    # When Stripe's webhook (no session) reports the payment first
    intent = stripe_fake.succeed(attempt.payment_intent_id)
    with django_capture_on_commit_callbacks(execute=True):
        webhook_post(client.__class__(), event("evt_ch", "payment_intent.succeeded", intent))

    # Then the order counts for the channel
    assert Order.objects.get().sales_channel == channel


def test_order_without_a_channel_has_none(client, stripe_fake, customer, two_cooperatives):
    tea, _honey = two_cooperatives
    client.force_login(customer)
    attempt = _checkout_to_pay_page(client, [(tea, 1)])
    stripe_fake.succeed(attempt.payment_intent_id)

    client.get(reverse("checkout:stripe-return"), {"payment_intent": attempt.payment_intent_id})

    assert Order.objects.get().sales_channel is None
