"""Alipay and WeChat Pay through Stripe PaymentIntents: the pay page confirms the intent with
Stripe.js (here: the same request to localstripe with the publishable key and the client
secret), the customer approves in their wallet (localstripe's stand-in page,
demo/localstripe_wallets.py), and the order is placed from the PaymentIntent read back from
Stripe, never from what the browser's return says."""

import json
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from oscar.core.loading import get_model

from marketplace.checkout.views import SESSION_ATTEMPT
from marketplace.payment import gateway
from tests.factories import UserFactory

from .stripe_fake import FailingStripe
from .test_localstripe_cards import pay_page_of

Order = get_model("order", "Order")
PaymentAttempt = get_model("payment", "PaymentAttempt")

pytestmark = pytest.mark.django_db

RETURN_URL = "http://testserver/shop/checkout/stripe/return/"
WECHAT_WEB = {"wechat_pay": {"client": "web"}}


@pytest.fixture
def wallets(settings):
    settings.STRIPE_ALIPAY_ENABLED = True
    settings.STRIPE_WECHAT_PAY_ENABLED = True


def _post(url: str, body: bytes, *, follow: bool = True):
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(*([] if follow else [NoRedirect()]))
    try:
        with opener.open(urllib.request.Request(url, data=body, method="POST")) as response:  # noqa: S310  localstripe
            return response.status, response.headers, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def confirm_as_stripe_js(localstripe_url: str, attempt, **params):
    """What Stripe.js's confirmAlipayPayment / confirmWechatPayPayment send: the publishable
    key and the client secret, no secret key."""
    body = {
        "key": django_settings.STRIPE_PUBLISHABLE_KEY,
        "client_secret": attempt.client_secret,
        **params,
    }
    url = f"{localstripe_url}/v1/payment_intents/{attempt.payment_intent_id}/confirm"
    status, _headers, text = _post(url, json.dumps(body).encode())
    return status, json.loads(text)


def wallet_decides(url: str, *, approve: bool):
    """The customer, in their wallet (the page Alipay redirects to, or the WeChat QR code's
    target on their phone), approves or declines. Returns where Alipay sends them back."""
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    form = urllib.parse.urlencode(
        {
            "client_secret": query["client_secret"][0],
            "decision": "approve" if approve else "decline",
        }
    ).encode()
    status, headers, _text = _post(url.split("?")[0], form, follow=False)
    return status, headers.get("Location")


def return_path(location: str) -> str:
    parts = urllib.parse.urlsplit(location)
    return f"{parts.path}?{parts.query}"


@pytest.mark.integration
def test_alipay_redirects_and_the_return_places_the_order_read_from_stripe(
    client, localstripe, wallets, customer, two_cooperatives
):
    tea, _honey = two_cooperatives
    attempt = pay_page_of(client, customer, tea)
    page = client.get(reverse("checkout:stripe-pay")).content.decode()
    assert "支付宝支付" in page and "微信支付" in page

    status, intent = confirm_as_stripe_js(
        localstripe, attempt, payment_method_data={"type": "alipay"}, return_url=RETURN_URL
    )
    assert status == 200
    assert intent["status"] == "requires_action"
    assert intent["next_action"]["type"] == "redirect_to_url"
    assert intent["next_action"]["redirect_to_url"]["return_url"] == RETURN_URL

    status, location = wallet_decides(intent["next_action"]["redirect_to_url"]["url"], approve=True)
    assert status == 302 and location.startswith(RETURN_URL)
    assert "redirect_status=succeeded" in location

    response = client.get(return_path(location))

    assert response.url == reverse("checkout:thank-you")
    order = Order.objects.get()
    assert order.number == attempt.order_number
    source = order.sources.get()
    assert source.reference == attempt.payment_intent_id
    assert source.amount_debited == attempt.amount
    paid = gateway.payment_intent_retrieve(attempt.payment_intent_id)
    assert paid["status"] == "succeeded"


@pytest.mark.integration
def test_a_return_claiming_success_places_nothing_until_stripe_says_so(
    client, localstripe, wallets, customer, two_cooperatives
):
    tea, _honey = two_cooperatives
    attempt = pay_page_of(client, customer, tea)
    confirm_as_stripe_js(
        localstripe, attempt, payment_method_data={"type": "alipay"}, return_url=RETURN_URL
    )

    # The browser comes back saying it paid, but the customer never approved in Alipay
    response = client.get(
        reverse("checkout:stripe-return")
        + f"?payment_intent={attempt.payment_intent_id}&redirect_status=succeeded"
    )

    assert response.url == reverse("checkout:stripe-pay")
    assert not Order.objects.exists()
    attempt.refresh_from_db()
    assert attempt.state == PaymentAttempt.State.PENDING


@pytest.mark.integration
def test_alipay_declined_in_the_wallet_brings_the_customer_back_to_pay_another_way(
    client, localstripe, wallets, customer, two_cooperatives
):
    tea, _honey = two_cooperatives
    attempt = pay_page_of(client, customer, tea)
    _status, intent = confirm_as_stripe_js(
        localstripe, attempt, payment_method_data={"type": "alipay"}, return_url=RETURN_URL
    )

    _status, location = wallet_decides(
        intent["next_action"]["redirect_to_url"]["url"], approve=False
    )
    response = client.get(return_path(location), follow=True)

    assert response.redirect_chain[-1][0] == reverse("checkout:stripe-pay")
    assert "支付未成功，请换一种支付方式或换一张卡再试。" in response.content.decode()
    assert not Order.objects.exists()


@pytest.mark.integration
def test_wechat_pay_qr_code_then_the_status_the_page_polls_then_the_order(
    client, localstripe, wallets, customer, two_cooperatives
):
    tea, _honey = two_cooperatives
    attempt = pay_page_of(client, customer, tea)
    status_url = reverse("checkout:stripe-status")

    status, intent = confirm_as_stripe_js(
        localstripe,
        attempt,
        payment_method_data={"type": "wechat_pay"},
        payment_method_options=WECHAT_WEB,
    )
    assert status == 200
    qr = intent["next_action"]["wechat_pay_display_qr_code"]
    assert qr["image_data_url"].startswith("data:image/png;base64,")
    assert client.get(status_url).json() == {
        "status": "requires_action",
        "payment_intent": attempt.payment_intent_id,
    }

    wallet_decides(qr["data"], approve=True)  # scanned and paid on the phone

    assert client.get(status_url).json()["status"] == "succeeded"
    assert not Order.objects.exists()  # the status only reads; the return view places
    response = client.get(
        reverse("checkout:stripe-return") + f"?payment_intent={attempt.payment_intent_id}"
    )
    assert response.url == reverse("checkout:thank-you")
    assert Order.objects.get().sources.get().reference == attempt.payment_intent_id
    assert client.get(status_url).status_code == 404  # the session has moved on


@pytest.mark.integration
def test_the_payment_status_is_only_the_owners(
    client, localstripe, wallets, customer, two_cooperatives
):
    tea, _honey = two_cooperatives
    attempt = pay_page_of(client, customer, tea)
    other = UserFactory()
    client.force_login(other)
    session = client.session
    session[SESSION_ATTEMPT] = attempt.pk  # even with the attempt's id
    session.save()

    assert client.get(reverse("checkout:stripe-status")).status_code == 404


@pytest.mark.integration
def test_a_wallet_the_site_has_not_turned_on_is_refused_by_stripe(
    client, localstripe, settings, customer, two_cooperatives
):
    settings.STRIPE_ALIPAY_ENABLED = False
    settings.STRIPE_WECHAT_PAY_ENABLED = False
    tea, _honey = two_cooperatives
    attempt = pay_page_of(client, customer, tea)
    page = client.get(reverse("checkout:stripe-pay")).content.decode()
    assert 'id="pay-alipay"' not in page and 'id="pay-wechat"' not in page

    status, answer = confirm_as_stripe_js(
        localstripe, attempt, payment_method_data={"type": "alipay"}, return_url=RETURN_URL
    )

    assert status == 400
    assert answer["error"]["code"] == "payment_intent_incompatible_payment_method"


def test_the_status_reads_the_intent_from_stripe(
    client, stripe_fake, customer, two_cooperatives, django_assert_max_num_queries
):
    tea, _honey = two_cooperatives
    attempt = pay_page_of(client, customer, tea)

    with django_assert_max_num_queries(4):  # the session, the user, the attempt
        answer = client.get(reverse("checkout:stripe-status"))
    assert answer.json()["status"] == "requires_payment_method"
    stripe_fake.succeed(attempt.payment_intent_id)
    assert client.get(reverse("checkout:stripe-status")).json()["status"] == "succeeded"
    assert len(stripe_fake.calls_to("GET", f"/v1/payment_intents/{attempt.payment_intent_id}")) == 2


def test_the_status_says_unknown_when_stripe_cannot_be_asked(
    client, customer, two_cooperatives, stripe_fake
):
    tea, _honey = two_cooperatives
    pay_page_of(client, customer, tea)
    down = FailingStripe()
    down.down = True
    gateway.http_client_install(down)  # the stripe_fake fixture puts the default back

    answer = client.get(reverse("checkout:stripe-status"))

    assert answer.status_code == 200 and answer.json()["status"] == "unknown"  # asked again
    assert down.failures == 1
