"""Fixtures for checkout and payment tests: a fake Stripe, baskets, started payments and
signed webhooks."""

import datetime
import hashlib
import hmac
import json
import socket
import subprocess
import sys
import time
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.urls import reverse
from oscar.core.loading import get_class

from marketplace.payment import gateway
from marketplace.payment.services import payment_start
from tests.factories import UserFactory
from tests.store_factories import basket_with, tea_and_honey  # noqa: F401  re-exported

from .stripe_fake import FakeStripe

Selector = get_class("partner.strategy", "Selector")
OrderNumberGenerator = get_class("order.utils", "OrderNumberGenerator")

ADDRESS = {
    "first_name": "",
    "last_name": "张三",
    "line1": "文三路 90 号 3 幢 201 室",
    "line3": "西湖区",
    "line4": "杭州市",
    "state": "浙江省",
    "postcode": "310012",
    "country_id": "CN",
    "phone_number": "+8613800138000",
}


@pytest.fixture
def stripe_fake():
    fake = FakeStripe()
    gateway.http_client_install(fake)
    yield fake
    gateway.http_client_install(None)


def start_payment(user, basket):
    basket.strategy = Selector().strategy(user=user)
    return payment_start(
        basket=basket,
        user=user,
        order_number=OrderNumberGenerator().order_number(basket),
        amount=basket.total_incl_tax,
        shipping_address=ADDRESS,
        shipping_method_code="free-shipping",
    )


@pytest.fixture
def two_cooperatives(db):
    """Two products of two cooperatives: tea at ¥38.00 (5 in stock) and honey at ¥66.50."""
    return tea_and_honey()


@pytest.fixture
def customer(db):
    return UserFactory()


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True, is_superuser=True)


def sign(payload: str, *, secret: str | None = None, timestamp: int | None = None) -> str:
    """A Stripe-Signature header as Stripe computes it: v1 = HMAC-SHA256(secret, "t.payload")."""
    timestamp = timestamp or int(time.time())
    secret = secret or settings.STRIPE_WEBHOOK_SECRET
    digest = hmac.new(
        secret.encode(), f"{timestamp}.{payload}".encode(), hashlib.sha256
    ).hexdigest()
    return f"t={timestamp},v1={digest}"


def event(event_id: str, type_: str, obj: dict) -> dict:
    return {"id": event_id, "object": "event", "type": type_, "data": {"object": obj}}


def webhook_post(client, body: dict, *, signature: str | None = None):
    payload = json.dumps(body)
    return client.post(
        reverse("checkout:stripe-webhook"),
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature if signature is not None else sign(payload),
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _listening(process: subprocess.Popen, port: int, *, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            if process.poll() is not None:  # it exited, e.g. the port was taken meanwhile
                return False
            time.sleep(0.1)
    return False


@pytest.fixture(scope="session")
def localstripe_url(tmp_path_factory):
    """A localstripe server for the session on a free port, stopped at the end. A port free
    when picked can be taken before localstripe binds it: then it tries another."""
    log = tmp_path_factory.mktemp("localstripe") / "stderr.log"
    for _attempt in range(3):
        port = _free_port()
        with open(log, "wb") as stderr:
            # localstripe with Alipay and WeChat Pay, as `make demo` starts it
            process = subprocess.Popen(  # noqa: S603  our own dev tooling, fixed arguments
                [sys.executable, "-m", "demo.localstripe_wallets", "--port", str(port)],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
                cwd=settings.BASE_DIR,
            )
        if _listening(process, port):
            break
        process.kill()
        process.wait()
    else:
        pytest.fail(f"localstripe did not start:\n{log.read_text(errors='replace')[-2000:]}")
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def localstripe(localstripe_url, settings):
    """Point the gateway at the running localstripe (and Stripe.js at its stand-in)."""
    settings.STRIPE_API_BASE = localstripe_url
    settings.STRIPE_JS_URL = f"{localstripe_url}/js.stripe.com/v3/"
    gateway.http_client_install(None)
    return localstripe_url


def order_paid_by_card(stripe_fake, user, lines):
    """An order of `user` for [(product, quantity), …], paid through the fake Stripe and
    placed by the same service as the return view and the webhook. On-commit work (the
    announcement, the confirmation email) runs only if the caller captures it."""
    from marketplace.payment.services import order_place_for_payment

    attempt = start_payment(user, basket_with(user, lines))
    stripe_fake.succeed(attempt.payment_intent_id)
    return order_place_for_payment(payment_intent_id=attempt.payment_intent_id)


@pytest.fixture
def paid_order(stripe_fake, customer, two_cooperatives):
    """The customer's paid order: 2 teas of one cooperative and 1 honey of another."""
    tea, honey = two_cooperatives
    return order_paid_by_card(stripe_fake, customer, [(tea, 2), (honey, 1)])


LAST_YEAR = datetime.datetime(2025, 6, 18, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def unpaid_order(customer, two_cooperatives):
    """An order placed last year from a basket (2 teas, 1 honey), not paid yet."""
    from marketplace.order.placement import order_create_from_basket

    tea, honey = two_cooperatives
    return order_create_from_basket(
        basket=basket_with(customer, [(tea, 2), (honey, 1)]),
        user=customer,
        shipping_address=ADDRESS,
        shipping_method_code="free-shipping",
        order_number="DX20250001",
        date_placed=LAST_YEAR,
    )
