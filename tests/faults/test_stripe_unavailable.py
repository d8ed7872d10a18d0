"""Stripe unreachable or too slow while a customer checks out. The customer gets a clear
message in their language, keeps the basket as it was, no order is placed, and the stock held
for the payment goes back (or, once the payment exists, stays held until Stripe reports)."""

import pytest
import stripe
from django.contrib.messages import get_messages
from django.db import OperationalError
from django.urls import reverse
from django.utils.http import urlencode
from oscar.core.loading import get_model

from marketplace.checkout import views as checkout_views
from marketplace.payment import gateway
from tests.factories import UserFactory
from tests.faults.conftest import silent_server
from tests.marketplace.checkout.addresses import CHINESE_ADDRESS
from tests.marketplace.checkout.stripe_fake import FakeStripe
from tests.store_factories import tea_and_honey as store_tea_and_honey

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
PaymentAttempt = get_model("payment", "PaymentAttempt")
StockRecord = get_model("partner", "StockRecord")
StockReservation = get_model("payment", "StockReservation")

pytestmark = pytest.mark.django_db

UNAVAILABLE_ZH = "暂时无法完成支付，请稍后再试。"
UNAVAILABLE_EN = "The payment cannot be completed right now. Please try again later."
SERVICE_UNAVAILABLE_ZH = "支付服务暂时不可用，请稍后再试。"
CONFIRMING_ZH = "您的订单正在确认中"
VISA = {"number": "4242424242424242", "exp_month": "12", "exp_year": "2030", "cvc": "123"}


class UnreachableStripe(FakeStripe):
    """The fake Stripe, except that the calls matching `fail` (method, path prefix) fail as
    the real HTTP client fails when it cannot connect: with APIConnectionError."""

    def __init__(self, *fail: tuple[str, str]):
        super().__init__()
        self.fail = list(fail)
        self.failures = 0

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        path = url.split("://", 1)[-1].split("/", 1)[-1]
        if any(method.upper() == m and f"/{path}".startswith(p) for m, p in self.fail):
            self.failures += 1
            raise stripe.APIConnectionError("Could not connect to Stripe (injected fault)")
        return super().request(method, url, headers, post_data, _usage=_usage)


@pytest.fixture
def silent_stripe(settings):
    """Stripe hung: the gateway talks to a silent server through its default HTTP client,
    which gives up after settings.STRIPE_TIMEOUT_SECONDS."""
    with silent_server() as (base_url, accepted):
        settings.STRIPE_API_BASE = base_url
        settings.STRIPE_TIMEOUT_SECONDS = 1  # the production HTTP client, with a short timeout
        yield accepted
        gateway.http_client_install(None)


@pytest.fixture
def stripe_fake():
    fake = FakeStripe()
    gateway.http_client_install(fake)
    yield fake
    gateway.http_client_install(None)


@pytest.fixture
def stripe_down():
    fake = UnreachableStripe(("POST", "/v1/payment_intents"))
    gateway.http_client_install(fake)
    yield fake
    gateway.http_client_install(None)


@pytest.fixture
def tea_and_honey():
    return store_tea_and_honey()


@pytest.fixture
def shopper(client, tea_and_honey):
    """A logged-in customer with 2 teas and 1 honey in the basket and an address chosen."""
    tea, honey = tea_and_honey
    client.force_login(UserFactory())
    client.post(reverse("basket:add", kwargs={"pk": tea.pk}), {"quantity": 2})
    client.post(reverse("basket:add", kwargs={"pk": honey.pk}), {"quantity": 1})
    client.post(reverse("checkout:shipping-address"), CHINESE_ADDRESS, follow=True)
    return client


def _basket_lines() -> list[tuple[int, int]]:
    basket = Basket.objects.get()
    return sorted(basket.lines.values_list("product_id", "quantity"))


def _allocated(product) -> int:
    return StockRecord.objects.get(product=product).num_allocated or 0


def _pay(client, prefix: str = ""):
    return client.post(prefix + reverse("checkout:preview"), {"action": "place_order"})


def _assert_nothing_lost(tea, honey):
    """The basket is open with the same lines, no order exists, no unit stays held."""
    basket = Basket.objects.get()
    assert basket.status == Basket.OPEN
    assert _basket_lines() == sorted([(tea.pk, 2), (honey.pk, 1)])
    assert not Order.objects.exists()
    assert (_allocated(tea), _allocated(honey)) == (0, 0)
    assert not StockReservation.objects.filter(state=StockReservation.State.HELD).exists()


def test_unreachable_stripe_sends_the_customer_back_to_the_basket_with_a_message(
    shopper, stripe_down, tea_and_honey, fault_count
):
    tea, honey = tea_and_honey

    # When the customer pays and Stripe cannot be reached
    response = _pay(shopper)
    fault_count(stripe_down.failures)

    # Then the basket page says so in Chinese, and nothing is lost or left held
    assert stripe_down.failures == 1
    assert response.status_code == 302 and response.url == reverse("basket:summary")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [UNAVAILABLE_ZH]
    _assert_nothing_lost(tea, honey)
    assert PaymentAttempt.objects.get().state == PaymentAttempt.State.FAILED


def test_the_message_is_in_english_on_the_english_site(
    shopper, stripe_down, tea_and_honey, fault_count
):
    response = _pay(shopper, prefix="/en")
    fault_count(stripe_down.failures)

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [UNAVAILABLE_EN]


def test_stripe_that_never_answers_times_out_into_the_same_message(
    shopper, silent_stripe, tea_and_honey, fault_count
):
    tea, honey = tea_and_honey

    # When Stripe accepts the connection but never answers
    response = _pay(shopper)
    fault_count(1)

    # Then the request ends after the client's timeout with the same message
    assert silent_stripe, "the checkout did reach the silent server"
    assert response.status_code == 302 and response.url == reverse("basket:summary")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [UNAVAILABLE_ZH]
    _assert_nothing_lost(tea, honey)


def test_once_stripe_is_back_the_same_basket_pays_with_its_units_held_once(
    shopper, stripe_down, tea_and_honey, fault_count
):
    tea, honey = tea_and_honey
    _pay(shopper)
    fault_count(stripe_down.failures)

    # When Stripe is reachable again and the customer pays a second time
    stripe_down.fail.clear()
    response = _pay(shopper)

    # Then the PaymentIntent is created and the units are held once, not twice
    assert response.status_code == 302 and response.url == reverse("checkout:stripe-pay")
    live = PaymentAttempt.objects.get(state=PaymentAttempt.State.PENDING)
    assert live.payment_intent_id in stripe_down.intents
    assert (_allocated(tea), _allocated(honey)) == (2, 1)
    assert sorted(live.reservations.values_list("stockrecord__product_id", "quantity")) == sorted(
        [(tea.pk, 2), (honey.pk, 1)]
    )

    # And the payment succeeding places one order from the kept basket
    stripe_down.succeed(live.payment_intent_id)
    returned = shopper.get(
        reverse("checkout:stripe-return") + f"?payment_intent={live.payment_intent_id}"
    )
    assert returned.url == reverse("checkout:thank-you")
    order = Order.objects.get()
    assert sorted(order.lines.values_list("product_id", "quantity")) == sorted(
        [(tea.pk, 2), (honey.pk, 1)]
    )
    assert (_allocated(tea), _allocated(honey)) == (2, 1)


def _return(client, attempt, **params):
    query = urlencode({"payment_intent": attempt.payment_intent_id, **params})
    return client.get(f"{reverse('checkout:stripe-return')}?{query}")


def _confirming(response) -> bool:
    """The "being confirmed" page: 200, in Chinese, coming back to the return by itself."""
    page = response.content.decode()
    return (
        response.status_code == 200
        and CONFIRMING_ZH in page
        and 'http-equiv="refresh"' in page
        and reverse("checkout:stripe-return") in page
    )


def test_unreachable_stripe_on_the_return_keeps_the_payment_waiting_for_stripe(
    shopper, stripe_down, tea_and_honey, fault_count
):
    tea, honey = tea_and_honey
    stripe_down.fail.clear()
    _pay(shopper)
    attempt = PaymentAttempt.objects.get()
    stripe_down.succeed(attempt.payment_intent_id)

    # When the customer comes back from paying and Stripe cannot be reached to confirm it
    stripe_down.fail.append(("GET", "/v1/payment_intents"))
    response = _return(shopper, attempt)
    fault_count(stripe_down.failures)

    # Then the customer is told the order is being confirmed, on a page that comes back by
    # itself; the units stay held for the payment and no order is placed yet
    assert _confirming(response)
    attempt.refresh_from_db()
    assert attempt.state == PaymentAttempt.State.PENDING
    assert not Order.objects.exists()
    assert (_allocated(tea), _allocated(honey)) == (2, 1)

    # And when Stripe answers again, the page's next visit places the order once
    stripe_down.fail.clear()
    again = _return(shopper, attempt, visit=1)
    assert again.status_code == 302 and again.url == reverse("checkout:thank-you")
    assert Order.objects.count() == 1


def test_a_busy_database_on_the_return_shows_the_order_being_confirmed_then_the_order(
    shopper, stripe_fake, tea_and_honey, fault_count, monkeypatch
):
    _pay(shopper)
    attempt = PaymentAttempt.objects.get()
    stripe_fake.succeed(attempt.payment_intent_id)

    # When the customer comes back from paying while the database is too busy to write
    def locked(**kwargs):
        fault_count(1)
        raise OperationalError("database is locked")

    monkeypatch.setattr(checkout_views, "order_place_for_payment", locked)
    response = _return(shopper, attempt)

    # Then the page says the order is being confirmed (no server error) and nothing is lost
    assert _confirming(response)
    assert not Order.objects.exists()
    assert PaymentAttempt.objects.get().state == PaymentAttempt.State.PENDING

    # And its next visit, once the database answers, places the order and shows it
    monkeypatch.undo()
    again = _return(shopper, attempt, visit=1)
    assert again.status_code == 302 and again.url == reverse("checkout:thank-you")
    order = Order.objects.get()
    assert order.number == attempt.order_number
    assert order.number in shopper.get(again.url).content.decode()


def test_the_confirming_page_stops_reloading_after_a_while(
    shopper, stripe_down, tea_and_honey, fault_count
):
    stripe_down.fail.clear()
    _pay(shopper)
    attempt = PaymentAttempt.objects.get()
    stripe_down.fail.append(("GET", "/v1/payment_intents"))

    response = _return(shopper, attempt, visit=500)
    fault_count(stripe_down.failures)

    page = response.content.decode()
    assert response.status_code == 200 and CONFIRMING_ZH in page
    assert 'http-equiv="refresh"' not in page
    assert reverse("customer:order-list") in page


@pytest.fixture
def at_the_pay_page(shopper, stripe_fake):
    """The shopper on the pay page of a PaymentIntent made by the fake Stripe."""
    response = _pay(shopper)
    assert response.url == reverse("checkout:stripe-pay")
    return PaymentAttempt.objects.get()


def _pay_with_test_card(client):
    return client.post(
        reverse("checkout:stripe-test-card"), {"card": VISA}, content_type="application/json"
    )


def test_unreachable_stripe_on_the_pay_page_is_not_a_declined_card(
    shopper, at_the_pay_page, fault_count
):
    # When the customer pays on the pay page and Stripe cannot be reached
    unreachable = UnreachableStripe(("POST", "/v1/payment_methods"))
    gateway.http_client_install(unreachable)
    answer = _pay_with_test_card(shopper)
    fault_count(unreachable.failures)

    # Then the page says the payment service is unavailable, not that the card was declined
    assert unreachable.failures == 1
    assert answer.status_code == 503
    assert answer.json()["error"]["message"] == SERVICE_UNAVAILABLE_ZH
    assert PaymentAttempt.objects.get().state == PaymentAttempt.State.PENDING
    assert not Order.objects.exists()


def test_stripe_that_hangs_on_the_pay_page_is_not_a_declined_card(
    shopper, at_the_pay_page, silent_stripe, fault_count
):
    # When the customer pays on the pay page and Stripe accepts the connection but never answers
    gateway.http_client_install(None)
    answer = _pay_with_test_card(shopper)
    fault_count(1)

    # Then after the client's timeout the page says the service is unavailable, not declined
    assert silent_stripe, "the payment did reach the silent server"
    assert answer.status_code == 503
    assert answer.json()["error"]["message"] == SERVICE_UNAVAILABLE_ZH
    assert PaymentAttempt.objects.get().state == PaymentAttempt.State.PENDING


def test_a_card_stripe_refuses_is_still_declined(
    shopper, at_the_pay_page, stripe_fake, monkeypatch
):
    # Given Stripe answers the card as it answers a declined one: 402, card_error
    route = stripe_fake._route

    def declining(method, path, form, query):
        if method == "POST" and path.endswith("/payment_methods"):
            decline = {"type": "card_error", "code": "card_declined"}
            return 402, {"error": {**decline, "message": "Your card was declined."}}
        return route(method, path, form, query)

    monkeypatch.setattr(stripe_fake, "_route", declining)

    answer = _pay_with_test_card(shopper)

    # Then the customer is told the card was declined (not that the service is down), and
    # the payment stays open for another card
    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == "银行卡被拒绝，请换一张卡再试。"
    assert PaymentAttempt.objects.get().state == PaymentAttempt.State.PENDING
