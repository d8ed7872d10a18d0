"""Where a checkout's time goes, request by request: the HTTP order of bench/checkout.py
(two products added, checkout, address, preview, place, pay page, Stripe's return,
thank-you), repeated, with each request's median time and statements.

`python -m bench.checkout_requests [--orders N]` (PostgreSQL: DATABASE_URL; the small
catalogue of bench.datagen, localstripe started here). Not part of `make bench`: a tool for
finding what to cut. For a figure the machine's speed does not move, run the inner process
under callgrind twice, with --orders 0 and --orders 4 (one warm-up order in both), and
divide the difference in instructions by four (docs/scaling.md, "Checkout statements")."""

import argparse
import statistics
import subprocess
import sys
import time

from bench import checkout, datagen


def _orders(count: int) -> None:
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from oscar.core.loading import get_model

    from marketplace.catalogue.selectors import products_for_sale
    from marketplace.payment import gateway

    PaymentAttempt = get_model("payment", "PaymentAttempt")
    user = get_user_model().objects.create_user(
        email=f"bench-requests-{time.time_ns()}@example.com", password=None
    )
    products = list(products_for_sale().order_by("pk")[:50])
    client = Client()
    client.force_login(user)
    times: dict[str, list[float]] = {}
    statements: dict[str, list[int]] = {}

    def request(name: str, send):
        counted = []

        def count(execute, sql, params, many, context):
            counted.append(sql)
            return execute(sql, params, many, context)

        start = time.perf_counter()
        with connection.execute_wrapper(count):
            response = send()
        times.setdefault(name, []).append((time.perf_counter() - start) * 1000)
        statements.setdefault(name, []).append(len(counted))
        return response

    def order(n: int) -> None:
        for i in (0, 3):
            add = reverse("basket:add", kwargs={"pk": products[(n + i) % len(products)].pk})
            response = request(
                f"add {1 + i // 3}", lambda add=add: client.post(add, {"quantity": 1})
            )
            assert response.status_code == 302
        response = request("checkout", lambda: client.get(reverse("checkout:index")))
        response = request("address page", lambda: client.get(response.url))
        address = reverse("checkout:shipping-address")
        response = request("address POST", lambda: client.post(address, checkout.FORM_ADDRESS))
        preview = response.url
        response = request("preview", lambda: client.get(preview))
        assert response.status_code == 200, response
        placed = request(
            "place", lambda: client.post(reverse("checkout:preview"), {"action": "place_order"})
        )
        assert placed.status_code == 302
        request("pay page", lambda: client.get(placed.url))
        attempt = PaymentAttempt.objects.filter(user=user).latest("pk")
        # What Stripe.js does in the buyer's browser.
        gateway.payment_intent_confirm(attempt.payment_intent_id, payment_method="pm_card_visa")
        back = f"{reverse('checkout:stripe-return')}?payment_intent={attempt.payment_intent_id}"
        returned = request("Stripe's return", lambda: client.get(back))
        assert returned.url == reverse("checkout:thank-you"), returned
        request("thank-you", lambda: client.get(returned.url))

    order(0)  # imports the views' modules and compiles their templates
    times.clear()
    statements.clear()
    start = time.perf_counter()
    for n in range(1, count + 1):
        order(n)
    if not count:
        return
    per_order = (time.perf_counter() - start) * 1000 / count
    for name, measured in times.items():
        print(
            f"{name:16} {statistics.median(measured):7.1f} ms"
            f" {statistics.median(statements[name]):5.0f} statements"
        )
    total = sum(statistics.median(counts) for counts in statements.values())
    print(f"per order {per_order:.1f} ms, {total:.0f} statements ({count} orders)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=20)
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.inner:
        _orders(arguments.orders)
        return
    from bench import run

    if not run.django_setup():
        sys.exit(1)
    dataset = datagen.ensure(datagen.SIZES["small"])
    process, stripe_url = checkout.localstripe_start()
    try:
        subprocess.run(  # noqa: S603  this module, fixed arguments
            [
                sys.executable,
                "-m",
                "bench.checkout_requests",
                "--inner",
                "--orders",
                str(arguments.orders),
            ],
            cwd=checkout.ROOT,
            env=checkout.inner_env(dataset, stripe_url),
            check=True,
        )
    finally:
        process.terminate()
        process.wait(timeout=10)


if __name__ == "__main__":
    main()
