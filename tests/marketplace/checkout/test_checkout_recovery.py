"""A checkout always ends well: after a declined card the same order attempt takes another
card; leaving the pay page, or letting the stock hold lapse, puts the items back in the
basket with a message on the next page and releases the stock; the pay page's counter never
says 0 minutes for a live hold, and says so once the hold has run out."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.checkout.views import SESSION_ATTEMPT
from marketplace.payment import gateway
from marketplace.payment.tasks import reservations_release_expired_task

from .conftest import basket_with, start_payment

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
PaymentAttempt = get_model("payment", "PaymentAttempt")
StockRecord = get_model("partner", "StockRecord")

VISA = {"number": "4242424242424242", "exp_month": "12", "exp_year": "2030", "cvc": "123"}
DECLINED = {**VISA, "number": "4000000000000341"}  # attaches, then the charge fails

pytestmark = pytest.mark.django_db


def at_pay_page(client, customer, lines):
    """The customer's basket frozen behind a started payment, as the preview leaves it, and
    the customer on the pay page."""
    basket = basket_with(customer, lines)
    attempt = start_payment(customer, basket)
    basket.freeze()
    client.force_login(customer)
    session = client.session
    session[SESSION_ATTEMPT] = attempt.pk
    session.save()
    return attempt


def pay(client, card):
    return client.post(
        reverse("checkout:stripe-test-card"), {"card": card}, content_type="application/json"
    )


def basket_page(client):
    response = client.get(reverse("basket:summary"))
    assert response.status_code == 200
    return response


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def basket_lines(response) -> dict[int, int]:
    basket = response.context["basket"]
    return {line.product_id: line.quantity for line in basket.all_lines()}


# A declined card, then another one


@pytest.mark.integration
def test_after_a_declined_card_another_card_pays_the_same_order(
    client, localstripe, customer, two_cooperatives
):
    tea, _honey = two_cooperatives
    attempt = at_pay_page(client, customer, [(tea, 2)])

    refused = pay(client, DECLINED)
    assert refused.status_code == 400
    assert refused.json()["error"]["message"] == "银行卡被拒绝，请换一张卡再试。"
    assert client.get(reverse("checkout:stripe-pay")).status_code == 200  # still payable

    paid = pay(client, VISA)

    assert paid.status_code == 200, paid.content
    assert paid.json()["status"] == "succeeded"
    intent_id = paid.json()["id"]
    returned = client.get(reverse("checkout:stripe-return") + f"?payment_intent={intent_id}")
    assert returned.url == reverse("checkout:thank-you")
    order = Order.objects.get()
    assert order.number == attempt.order_number
    assert order.total_incl_tax == attempt.amount
    assert StockRecord.objects.get(product=tea).num_allocated == 2


@pytest.mark.integration
def test_a_second_declined_card_still_leaves_the_order_payable(
    client, localstripe, customer, two_cooperatives
):
    tea, _honey = two_cooperatives
    at_pay_page(client, customer, [(tea, 1)])

    assert pay(client, DECLINED).status_code == 400
    assert pay(client, DECLINED).status_code == 400
    assert pay(client, VISA).json()["status"] == "succeeded"


@pytest.mark.integration
def test_the_intent_replaced_after_a_decline_can_no_longer_be_paid(
    client, localstripe, customer, two_cooperatives
):
    # A payment Stripe took is never lost: the attempt answers for its PaymentIntent, and one
    # it no longer answers for has been cancelled at Stripe before it was let go.
    tea, _honey = two_cooperatives
    attempt = at_pay_page(client, customer, [(tea, 1)])
    first_intent = attempt.payment_intent_id

    pay(client, DECLINED)
    pay(client, VISA)

    attempt.refresh_from_db()
    if attempt.payment_intent_id != first_intent:
        assert gateway.payment_intent_retrieve(first_intent)["status"] == "canceled"
    assert gateway.payment_intent_retrieve(attempt.payment_intent_id)["status"] == "succeeded"


def test_a_declined_return_from_stripe_leaves_the_order_payable(
    client, stripe_fake, customer, two_cooperatives
):
    # Stripe.js sends the customer back after a method that redirects (Alipay) failed: the
    # intent waits for another method, so the customer goes back to the pay page, not to an
    # empty basket.
    tea, _honey = two_cooperatives
    attempt = at_pay_page(client, customer, [(tea, 1)])

    response = client.get(
        reverse("checkout:stripe-return") + f"?payment_intent={attempt.payment_intent_id}",
        follow=True,
    )

    assert response.resolver_match.url_name == "stripe-pay"
    assert "支付未成功，请换一种支付方式或换一张卡再试。" in messages_of(response)
    attempt.refresh_from_db()
    assert attempt.state == PaymentAttempt.State.PENDING
    assert StockRecord.objects.get(product=tea).num_allocated == 1


# Leaving the pay page


def test_leaving_the_pay_page_puts_the_items_back_in_the_basket(
    client, stripe_fake, customer, two_cooperatives
):
    tea, honey = two_cooperatives
    attempt = at_pay_page(client, customer, [(tea, 2), (honey, 1)])
    assert StockRecord.objects.get(product=tea).num_allocated == 2

    response = basket_page(client)

    assert basket_lines(response) == {tea.pk: 2, honey.pk: 1}
    assert "您尚未完成支付，商品已放回购物车。" in messages_of(response)
    attempt.refresh_from_db()
    assert attempt.state == PaymentAttempt.State.ABANDONED
    assert StockRecord.objects.get(product=tea).num_allocated == 0
    assert gateway.payment_intent_retrieve(attempt.payment_intent_id)["status"] == "canceled"
    # the message is said once
    assert messages_of(basket_page(client)) == []


def test_the_pay_page_itself_keeps_the_attempt(client, stripe_fake, customer, two_cooperatives):
    tea, _honey = two_cooperatives
    attempt = at_pay_page(client, customer, [(tea, 1)])

    for _visit in range(2):
        assert client.get(reverse("checkout:stripe-pay")).status_code == 200
    client.get("/favicon.ico", HTTP_ACCEPT="image/webp,*/*", HTTP_SEC_FETCH_DEST="image")

    attempt.refresh_from_db()
    assert attempt.state == PaymentAttempt.State.PENDING
    assert StockRecord.objects.get(product=tea).num_allocated == 1


def test_items_added_meanwhile_stay_beside_the_ones_given_back(
    client, stripe_fake, customer, two_cooperatives
):
    tea, honey = two_cooperatives
    attempt = at_pay_page(client, customer, [(tea, 1)])
    # While the first basket waits frozen, the store has given the customer a fresh one.
    basket_with(customer, [(honey, 3)])

    response = basket_page(client)

    assert basket_lines(response) == {tea.pk: 1, honey.pk: 3}
    assert Basket.open.filter(owner=customer).count() == 1
    assert Basket.objects.get(pk=attempt.basket_id).status == Basket.OPEN


def test_a_paid_attempt_is_not_undone_by_leaving(client, stripe_fake, customer, two_cooperatives):
    # The payment succeeded at Stripe but the customer wandered off before the return:
    # leaving places the order instead of putting the items back.
    tea, _honey = two_cooperatives
    attempt = at_pay_page(client, customer, [(tea, 1)])
    stripe_fake.succeed(attempt.payment_intent_id)

    response = basket_page(client)

    assert basket_lines(response) == {}
    assert Order.objects.get().number == attempt.order_number


# The hold lapses


def test_a_lapsed_hold_gives_the_basket_back_with_a_message_on_the_next_page(
    client, stripe_fake, customer, two_cooperatives
):
    tea, _honey = two_cooperatives
    attempt = at_pay_page(client, customer, [(tea, 2)])
    PaymentAttempt.objects.filter(pk=attempt.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    assert reservations_release_expired_task.delay().get() == 1

    assert StockRecord.objects.get(product=tea).num_allocated == 0
    response = client.get(reverse("catalogue:index"))
    assert "支付已超时，商品库存已释放，商品已放回购物车。" in messages_of(response)
    assert basket_lines(basket_page(client)) == {tea.pk: 2}


def test_a_lapsed_hold_found_before_the_task_runs_is_released_on_the_next_page(
    client, stripe_fake, customer, two_cooperatives
):
    tea, _honey = two_cooperatives
    attempt = at_pay_page(client, customer, [(tea, 2)])
    PaymentAttempt.objects.filter(pk=attempt.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=5)
    )

    response = basket_page(client)

    assert basket_lines(response) == {tea.pk: 2}
    assert "支付已超时，商品库存已释放，商品已放回购物车。" in messages_of(response)
    assert StockRecord.objects.get(product=tea).num_allocated == 0


# The counter


def test_the_counter_never_says_zero_minutes_for_a_live_hold(
    client, stripe_fake, customer, two_cooperatives
):
    tea, _honey = two_cooperatives
    attempt = at_pay_page(client, customer, [(tea, 1)])
    PaymentAttempt.objects.filter(pk=attempt.pk).update(
        expires_at=timezone.now() + datetime.timedelta(seconds=20)
    )

    page = client.get(reverse("checkout:stripe-pay")).content.decode()
    notice = re.sub(r"<[^>]+>", "", re.search(r'<p id="hold-notice".*?</p>', page, re.S)[0])

    assert notice.startswith("商品库存为您保留 1 分钟")


def test_an_expired_hold_says_so_and_offers_the_basket_back(
    client, stripe_fake, customer, two_cooperatives
):
    tea, _honey = two_cooperatives
    attempt = at_pay_page(client, customer, [(tea, 1)])
    PaymentAttempt.objects.filter(pk=attempt.pk).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )

    response = client.get(reverse("checkout:stripe-pay"), follow=True)

    assert response.resolver_match.url_name == "summary"
    assert "支付已超时，商品库存已释放，商品已放回购物车。" in messages_of(response)
    assert basket_lines(response) == {tea.pk: 1}
