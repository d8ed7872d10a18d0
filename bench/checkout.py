"""Benchmark: complete orders per second against a running localstripe, through the service
layer (basket → payment_start → card confirmation → order_place_for_payment) and end to
end over HTTP with Django's test client (basket → checkout → preview → pay → return).

Runs in a separate process on the small catalogue's database (bench.datagen; the large
one's with BENCH_CHECKOUT_CATALOGUE=large), so that the orders it places never reach the
empty database the catalogues are copied from. Tasks go to
an in-memory broker, as production sends them to its workers: settlement (income
allocation, purchase facts) and the confirmation e-mail are enqueued, not run, so each
order's time is the web process's own. Besides orders per second it reports, per order,
the time, the time without waiting for Stripe (the Stripe library's HTTP calls, timed
apart: Stripe's time, not ours; the buyer's card confirmation is one of them), and the SQL
statements and writes (INSERT, UPDATE, DELETE) it took. Times are taken without
tracemalloc; the peak memory comes from three more orders placed under it."""

import json
import os
import socket
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

from bench import datagen

ROOT = Path(__file__).resolve().parent.parent
SERVICE_ORDERS = int(os.environ.get("BENCH_CHECKOUT_ORDERS", "40"))
HTTP_ORDERS = int(os.environ.get("BENCH_CHECKOUT_HTTP_ORDERS", "15"))
MEMORY_ORDERS = 3  # placed after the timed ones, under tracemalloc, for the peak memory
# The catalogue the orders are placed in: "small" (2,000 products), or "large" (400,000)
CATALOGUE = os.environ.get("BENCH_CHECKOUT_CATALOGUE", "small")
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
FORM_ADDRESS = {key: value for key, value in ADDRESS.items() if key not in ("first_name",)}
FORM_ADDRESS["phone_number"] = "13800138000"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def localstripe_start() -> tuple[subprocess.Popen, str]:
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603  our own dev dependency, fixed arguments
        [sys.executable, "-m", "demo.localstripe_wallets", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process, f"http://127.0.0.1:{port}"
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("localstripe did not start") from None
            time.sleep(0.1)


def inner_env(dataset: dict, stripe_url: str) -> dict:
    """The environment of the process that places the orders."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": dataset["url"],
        "FIELD_ENCRYPTION_KEY": datagen.BENCH_FIELD_ENCRYPTION_KEY,
        "STRIPE_API_BASE": stripe_url,
        # Not eager: settlement is enqueued for the workers, as in production.
        "CELERY_BROKER_URL": "memory://",
        "LOG_LEVEL": "WARNING",
        # Persistent connections, as bench.pages and the stock Oscar comparator use.
        "DATABASE_CONN_MAX_AGE": "600",
    }


def run() -> list[dict]:
    size = datagen.SIZES[CATALOGUE]
    dataset = datagen.ensure(size)
    process, stripe_url = localstripe_start()
    try:
        out = subprocess.run(
            [sys.executable, "-m", "bench.checkout"],
            cwd=ROOT,
            env=inner_env(dataset, stripe_url),
            check=True,
            stdout=subprocess.PIPE,
            text=True,
        ).stdout
    finally:
        process.terminate()
        process.wait(timeout=10)
    rows = json.loads(out.strip().splitlines()[-1])
    for row in rows:
        row["size"] = f"{size.products:,} products, {row.pop('orders')} orders"
    return rows


WRITES = ("INSERT", "UPDATE", "DELETE")


class StatementCounter:
    """Counts the SQL statements run through a connection, and how many of them write."""

    def __init__(self):
        self.queries = 0
        self.writes = 0

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        self.writes += sql.lstrip()[:6].upper() in WRITES
        return execute(sql, params, many, context)


class _StripeWait:
    """Wraps the Stripe library's HTTP client: the time spent waiting for Stripe's answers
    (localstripe here), which is Stripe's time, not the web process's."""

    def __init__(self, client):
        self.seconds = 0.0
        self._request = client.request_with_retries
        client.request_with_retries = self

    def __call__(self, *args, **kwargs):
        start = time.perf_counter()
        try:
            return self._request(*args, **kwargs)
        finally:
            self.seconds += time.perf_counter() - start


def _measure(fn, orders: int, *, stripe_wait: _StripeWait, first: int = 0) -> dict:
    """Time and statements of `orders` orders after one that warms the process (the first
    request of each view imports its modules and compiles its templates), then the peak
    traced memory of a few more: tracemalloc traces every allocation, so the time is taken
    without it."""
    from django.db import connection

    fn(first)
    first += 1
    statements = StatementCounter()
    waited = stripe_wait.seconds
    start = time.perf_counter()
    with connection.execute_wrapper(statements):
        for n in range(first, first + orders):
            fn(n)
    seconds = time.perf_counter() - start
    stripe_seconds = stripe_wait.seconds - waited
    tracemalloc.start()
    for n in range(first + orders, first + orders + MEMORY_ORDERS):
        fn(n)
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    return {
        "rate": orders / seconds,
        "ms_per_order": seconds * 1000 / orders,
        "ms_per_order_without_stripe": (seconds - stripe_seconds) * 1000 / orders,
        "queries_per_order": statements.queries / orders,
        "writes_per_order": statements.writes / orders,
        "peak": peak,
    }


def _rows(figure: str, measured: dict, orders: int) -> list[dict]:
    return [
        {
            "figure": figure,
            "value": measured["rate"],
            "unit": "orders/s",
            "orders": orders,
            "peak_memory_mb": measured["peak"],
        },
        {
            "figure": f"{figure}: time per order",
            "value": measured["ms_per_order"],
            "unit": "ms",
            "orders": orders,
        },
        {
            "figure": f"{figure}: time per order without waiting for Stripe",
            "value": measured["ms_per_order_without_stripe"],
            "unit": "ms",
            "orders": orders,
        },
        {
            "figure": f"{figure}: SQL statements per order",
            "value": measured["queries_per_order"],
            "unit": "queries",
            "orders": orders,
        },
        {
            "figure": f"{figure}: writes per order",
            "value": measured["writes_per_order"],
            "unit": "INSERT/UPDATE/DELETE",
            "orders": orders,
        },
    ]


def _in_process() -> None:
    import django
    import stripe

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    assert not settings.CELERY_TASK_ALWAYS_EAGER, "settlement must go to the broker"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from django.test import Client
    from django.urls import reverse
    from oscar.core.loading import get_class, get_model

    from marketplace.catalogue.selectors import products_for_sale
    from marketplace.payment import gateway
    from marketplace.payment.services import order_place_for_payment, payment_start

    Basket = get_model("basket", "Basket")
    Order = get_model("order", "Order")
    PaymentAttempt = get_model("payment", "PaymentAttempt")
    Selector = get_class("partner.strategy", "Selector")
    OrderNumberGenerator = get_class("order.utils", "OrderNumberGenerator")
    User = django.contrib.auth.get_user_model()

    stamp = int(time.time() * 1000)
    user = User.objects.create_user(email=f"bench-{stamp}@example.com", password=None)
    products = list(products_for_sale().order_by("pk")[:50])

    def service_order(n: int) -> None:
        basket = Basket.objects.create(owner=user)
        basket.strategy = Selector().strategy(user=user)
        basket.add_product(products[n % len(products)], 1)
        basket.add_product(products[(n + 7) % len(products)], 2)
        attempt = payment_start(
            basket=basket,
            user=user,
            order_number=OrderNumberGenerator().order_number(basket),
            amount=basket.total_incl_tax,
            shipping_address=ADDRESS,
            shipping_method_code="free-shipping",
        )
        gateway.payment_intent_confirm(attempt.payment_intent_id, payment_method="pm_card_visa")
        order_place_for_payment(payment_intent_id=attempt.payment_intent_id)

    client = Client()
    client.force_login(user)

    def http_order(n: int) -> None:
        for product in (products[n % len(products)], products[(n + 3) % len(products)]):
            add = reverse("basket:add", kwargs={"pk": product.pk})
            response = client.post(add, {"quantity": 1})
            assert response.status_code == 302
        client.get(reverse("checkout:index"), follow=True)
        response = client.post(reverse("checkout:shipping-address"), FORM_ADDRESS, follow=True)
        assert response.resolver_match.url_name == "preview", response.resolver_match
        response = client.post(reverse("checkout:preview"), {"action": "place_order"})
        assert response.status_code == 302, response.status_code
        assert client.get(response.url).status_code == 200
        attempt = PaymentAttempt.objects.filter(user=user).latest("pk")
        # What Stripe.js does in the buyer's browser.
        gateway.payment_intent_confirm(attempt.payment_intent_id, payment_method="pm_card_visa")
        returned = client.get(
            reverse("checkout:stripe-return") + f"?payment_intent={attempt.payment_intent_id}"
        )
        assert returned.url == reverse("checkout:thank-you"), returned
        assert client.get(returned.url).status_code == 200

    stripe_http = stripe.new_default_http_client(timeout=settings.STRIPE_TIMEOUT_SECONDS)
    stripe_wait = _StripeWait(stripe_http)
    gateway.http_client_install(stripe_http)
    before = Order.objects.filter(user=user).count()
    rows = []
    first = 0
    # BENCH_CHECKOUT_ORDERS=0 (bench.oscar_checkout): the HTTP orders only.
    if SERVICE_ORDERS:
        service = _measure(service_order, SERVICE_ORDERS, stripe_wait=stripe_wait)
        rows += _rows("checkout, service layer (settlement enqueued)", service, SERVICE_ORDERS)
        first = SERVICE_ORDERS + 1 + MEMORY_ORDERS
    http = _measure(http_order, HTTP_ORDERS, stripe_wait=stripe_wait, first=first)
    rows += _rows("checkout, HTTP basket → pay → thank-you", http, HTTP_ORDERS)
    placed = Order.objects.filter(user=user).count() - before
    expected = first + HTTP_ORDERS + 1 + MEMORY_ORDERS
    assert placed == expected, f"{placed} orders placed"
    print(json.dumps(rows))


if __name__ == "__main__":
    _in_process()
