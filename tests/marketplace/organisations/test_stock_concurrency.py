"""Invariant 5 for organisation orders on PostgreSQL: buyers of several organisations
ordering the last units at once never get more units than exist."""

import threading

import pytest
from django.conf import settings
from django.db import connection
from oscar.core.loading import get_class, get_model

from marketplace.organisations.services import (
    OrganisationCheckoutError,
    organisation_order_place,
)
from tests.factories import OrganisationFactory
from tests.store_factories import product_create

from .builders import ADDRESS, basket_with, member

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")
OrderNumberGenerator = get_class("order.utils", "OrderNumberGenerator")

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="real concurrent row locking needs PostgreSQL (set DATABASE_URL)",
    ),
]

BUYERS = 12
UNITS = 4


@pytest.mark.django_db(transaction=True)
def test_concurrent_organisation_orders_of_the_last_units_sell_each_once(china):
    # Given four units and twelve buyers of different organisations, one unit each
    product = product_create(title="凉山苦荞茶", num_in_stock=UNITS)
    buyers = [
        (organisation, member(organisation))
        for organisation in OrganisationFactory.create_batch(BUYERS)
    ]
    baskets = [basket_with(buyer, [(product, 1)]) for _organisation, buyer in buyers]
    barrier = threading.Barrier(BUYERS)
    placed, sold_out, errors = [], [], []

    def order(organisation, buyer, basket):
        try:
            barrier.wait()
            placed.append(
                organisation_order_place(
                    basket=basket,
                    user=buyer,
                    organisation=organisation,
                    shipping_address=ADDRESS,
                    shipping_method_code="free-shipping",
                    order_number=OrderNumberGenerator().order_number(basket),
                )
            )
        except OrganisationCheckoutError as exc:
            sold_out.append(str(exc.message))
        except Exception as exc:  # noqa: BLE001  reported below
            errors.append(exc)
        finally:
            connection.close()

    # When they all place their orders at once, each on its own connection
    threads = [
        threading.Thread(target=order, args=(organisation, buyer, basket))
        for (organisation, buyer), basket in zip(buyers, baskets, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then exactly four orders are placed and the others are told it is sold out
    assert errors == []
    assert len(placed) == UNITS
    assert len(sold_out) == BUYERS - UNITS
    assert Order.objects.count() == UNITS
    record = StockRecord.objects.get(product=product)
    assert record.num_allocated == UNITS
    assert record.net_stock_level == 0
