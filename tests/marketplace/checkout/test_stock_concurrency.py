"""Invariant 5 on PostgreSQL: concurrent checkouts never sell more units than exist."""

import threading

import pytest
from django.conf import settings
from django.db import connection
from oscar.core.loading import get_model

from marketplace.payment.services import CheckoutSoldOut, order_place_for_payment
from tests.factories import UserFactory
from tests.store_factories import product_create

from .conftest import basket_with, start_payment

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="real concurrent row locking needs PostgreSQL (set DATABASE_URL); "
        "SQLite serialises every write",
    ),
]

CHECKOUTS = 20
UNITS = 5


@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_checkouts_of_five_units_sell_exactly_five(stripe_fake, china):
    # Given five units and twenty customers with one unit each in their basket
    product = product_create(title="凉山苦荞茶", num_in_stock=UNITS)
    customers = [UserFactory() for _ in range(CHECKOUTS)]
    baskets = [basket_with(user, [(product, 1)]) for user in customers]
    barrier = threading.Barrier(CHECKOUTS)
    started, sold_out, errors = [], [], []

    def checkout(user, basket):
        try:
            barrier.wait()
            started.append(start_payment(user, basket))
        except CheckoutSoldOut as exc:
            sold_out.append(str(exc.message))
        except Exception as exc:  # noqa: BLE001  reported below
            errors.append(exc)
        finally:
            connection.close()

    # When they all check out at once, each thread on its own database connection
    threads = [
        threading.Thread(target=checkout, args=pair)
        for pair in zip(customers, baskets, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then five get a PaymentIntent and fifteen a clear sold-out answer
    assert errors == []
    assert len(started) == UNITS
    assert len(sold_out) == CHECKOUTS - UNITS
    assert all("售罄" in message for message in sold_out)
    assert len(stripe_fake.calls_to("POST", "/v1/payment_intents")) == UNITS
    # and the five paid checkouts become exactly five orders; no payment for the others
    for attempt in started:
        stripe_fake.succeed(attempt.payment_intent_id)
        order_place_for_payment(payment_intent_id=attempt.payment_intent_id)
    assert Order.objects.count() == UNITS
    assert len(stripe_fake.intents) == UNITS
    record = StockRecord.objects.get(product=product)
    assert record.num_allocated == UNITS
    assert record.net_stock_level == 0
