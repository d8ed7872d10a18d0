"""The customer's order page and the dashboard order page run a constant number of
queries however many lines, cooperatives, shipments and refunds the order has."""

from decimal import Decimal

import pytest
from django.urls import reverse

from marketplace.order.services import shipment_create
from marketplace.payment.services import order_refund
from tests.store_factories import product_create

from .conftest import order_paid_by_card

pytestmark = pytest.mark.django_db

# Measured: 24 and 20 at both sizes; a query per line would add 8 at size 8.
CUSTOMER_PAGE_QUERIES = 26
DASHBOARD_PAGE_QUERIES = 22


def _shipped_order(stripe_fake, customer, staff, size: int):
    """A paid order with one line from each of `size` cooperatives, all shipped, and one
    unit of its first line refunded."""
    products = [product_create(title=f"农产品{i}", price=Decimal("10.00") + i) for i in range(size)]
    order = order_paid_by_card(stripe_fake, customer, [(p, 2) for p in products])
    for product in products:
        shipment_create(
            order=order,
            cooperative=product.cooperative,
            carrier="EMS",
            tracking_number=f"E{product.pk}",
            actor=staff,
        )
    order_refund(order=order, lines_quantities={order.lines.first(): 1}, actor=staff)
    return order


@pytest.mark.parametrize("size", [2, 8])
def test_customer_order_page_queries_do_not_grow(
    client, stripe_fake, customer, staff, size, django_assert_max_num_queries
):
    order = _shipped_order(stripe_fake, customer, staff, size)
    client.force_login(customer)
    url = reverse("customer:order", kwargs={"order_number": order.number})

    with django_assert_max_num_queries(CUSTOMER_PAGE_QUERIES):
        response = client.get(url)

    assert response.status_code == 200
    assert len(response.context["cooperative_shipments"]) == size


@pytest.mark.parametrize("size", [2, 8])
def test_dashboard_order_page_queries_do_not_grow(
    client, stripe_fake, customer, staff, size, django_assert_max_num_queries
):
    order = _shipped_order(stripe_fake, customer, staff, size)
    client.force_login(staff)
    url = reverse("dashboard:order-detail", kwargs={"number": order.number})

    with django_assert_max_num_queries(DASHBOARD_PAGE_QUERIES):
        response = client.get(url)

    assert response.status_code == 200
    assert len(response.context["refund_rows"]) == size
