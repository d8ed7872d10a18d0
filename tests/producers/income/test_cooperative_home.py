"""The cooperative's workspace home shows its products and stock alerts, the orders
waiting for its parcel, and its households' income with the payouts it owes."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from producers.income.services import events_process
from tests.store_factories import certified_cooperative, cooperative_staff_create

from .conftest import order_create, settlement_record

StockAlert = get_model("partner", "StockAlert")
Shipment = get_model("order", "Shipment")

pytestmark = pytest.mark.django_db


def panel(page: str, panel_id: str) -> str:
    return re.search(rf'id="{panel_id}".*?</section>', page, re.S).group(0)


def test_the_cooperative_home_shows_products_orders_to_ship_and_payouts_owed(
    client, linked_cooperative
):
    cooperative, product = linked_cooperative["cooperative"], linked_cooperative["product"]
    waiting = order_create(items=[(product, 2, Decimal("38.00"))])
    events_process(payment_event_ids=[settlement_record(order=waiting).pk])
    sent = order_create(items=[(product, 1, Decimal("38.00"))])
    Shipment.objects.create(
        order=sent,
        cooperative=cooperative,
        state=Shipment.State.SHIPPED,
        carrier="顺丰速运",
        tracking_number="SF1",
    )
    StockAlert.objects.create(stockrecord=product.stockrecords.get(), threshold=5)
    client.force_login(cooperative_staff_create(cooperative=cooperative))

    page = client.get(reverse("producers:cooperative-home")).content.decode()

    products = panel(page, "cooperative-products")
    assert product.get_title() in products
    assert "库存预警" in products
    to_ship = panel(page, "cooperative-to-ship")
    assert waiting.number in to_ship
    assert sent.number not in to_ship
    income = panel(page, "cooperative-income")
    assert "5 户" in income
    assert "¥34.20" in income  # attributed to the households, none paid yet: all owed
    assert re.search(r'cooperative-income__owed">¥34.20<', income)


def test_another_cooperatives_orders_and_products_are_not_shown(client, linked_cooperative):
    order = order_create(items=[(linked_cooperative["product"], 1, Decimal("38.00"))])
    client.force_login(cooperative_staff_create(cooperative=certified_cooperative()))

    page = client.get(reverse("producers:cooperative-home")).content.decode()

    assert order.number not in panel(page, "cooperative-to-ship")
    assert linked_cooperative["product"].get_title() not in panel(page, "cooperative-products")
