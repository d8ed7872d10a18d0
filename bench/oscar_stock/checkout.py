"""Stock Oscar's checkout, timed the way bench/checkout.py times ours: in one process, with
Django's test client, signed in, two products an order, one warm-up order and then
BENCH_CHECKOUT_HTTP_ORDERS (default 15) orders in sequence. Each order is what a buyer of
the stock shop does: add two products, checkout, shipping address (Oscar then passes its
one shipping method and its payment-method step by itself), the payment-details page,
the preview, place the order, the thank-you page. Stock Oscar takes no payment; ours waits
for Stripe, so bench.oscar_checkout compares Oscar's time with ours both with and without
that wait.

Prints one JSON object: time per order (ms), SQL statements and writes per order, and the
median time of each step (ms; the two additions as one). Run by bench.oscar_checkout on
Oscar's database (bench.oscar_stock.data)."""

import json
import os
import statistics
import time
from collections import defaultdict
from contextlib import contextmanager

from bench.checkout import StatementCounter

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.oscar_stock.settings")
ORDERS = int(os.environ.get("BENCH_CHECKOUT_HTTP_ORDERS", "15"))
ADDRESS = {
    "first_name": "三",
    "last_name": "张",
    "line1": "文三路 90 号 3 幢 201 室",
    "line3": "西湖区",
    "line4": "杭州市",
    "state": "浙江省",
    "postcode": "310012",
    "phone_number": "+8613800138000",
}


def shipping_country_ensure() -> None:
    """China as the shop's one shipping country: Oscar ships nowhere until one is set."""
    from oscar.core.loading import get_model

    get_model("address", "Country").objects.update_or_create(
        iso_3166_1_a2="CN",
        defaults={
            "iso_3166_1_a3": "CHN",
            "iso_3166_1_numeric": "156",
            "printable_name": "China",
            "name": "People's Republic of China",
            "is_shipping_country": True,
        },
    )


def main() -> None:
    import django

    django.setup()
    from django.conf import settings

    # As bench/checkout.py does for ours: the confirmation e-mail is built, not sent.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from oscar.core.loading import get_model

    shipping_country_ensure()
    Order = get_model("order", "Order")
    products = list(get_model("catalogue", "Product").objects.order_by("pk")[:50])
    stamp = time.time_ns()
    user = get_user_model().objects.create_user(
        username=f"bench-checkout-{stamp}", email=f"bench-checkout-{stamp}@oscar.example"
    )
    client = Client()
    client.force_login(user)
    steps = defaultdict(list)  # step: ms of each timed order

    @contextmanager
    def step(name: str):
        start = time.perf_counter()
        yield
        steps[name].append((time.perf_counter() - start) * 1000)

    def order(n: int) -> None:
        with step("two additions to the basket"):
            for product in (products[n % len(products)], products[(n + 3) % len(products)]):
                response = client.post(
                    reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1}
                )
                assert response.status_code == 302, response.status_code
        with step("checkout to the address page"):
            response = client.get(reverse("checkout:index"), follow=True)
        assert response.resolver_match.url_name == "shipping-address", response.resolver_match
        with step("address to the payment details"):
            response = client.post(reverse("checkout:shipping-address"), ADDRESS, follow=True)
        assert response.resolver_match.url_name == "payment-details", response.resolver_match
        with step("preview"):
            assert client.get(reverse("checkout:preview")).status_code == 200
        with step("place"):
            response = client.post(reverse("checkout:preview"), {"action": "place_order"})
        assert response.status_code == 302, response.status_code
        assert response.url == reverse("checkout:thank-you"), response.url
        with step("thank-you"):
            assert client.get(response.url).status_code == 200

    statements = StatementCounter()
    order(0)  # warms the process: imports, compiled templates
    steps.clear()
    start = time.perf_counter()
    with connection.execute_wrapper(statements):
        for n in range(1, ORDERS + 1):
            order(n)
    seconds = time.perf_counter() - start
    placed = Order.objects.filter(user=user).count()
    assert placed == ORDERS + 1, f"{placed} orders placed"
    print(
        json.dumps(
            {
                "orders": ORDERS,
                "ms_per_order": seconds * 1000 / ORDERS,
                "queries_per_order": statements.queries / ORDERS,
                "writes_per_order": statements.writes / ORDERS,
                "steps_ms": {name: statistics.median(ms) for name, ms in steps.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
