"""An order an offer discounted opens on the customer's and the staff's order pages
(Oscar's OrderDiscount names its offer by id: the pages must not prefetch it as a
relation)."""

import pytest
from django.urls import reverse

from tests.marketplace.payment.conftest import discounted_order_paid

pytestmark = pytest.mark.django_db


def test_a_discounted_order_opens_for_its_customer_and_for_staff(
    client, stripe_fake, customer, staff, two_cooperatives
):
    tea, _honey = two_cooperatives
    order = discounted_order_paid(stripe=stripe_fake, user=customer, items=[(tea, 2)])
    assert order.discounts.exists()

    client.force_login(customer)
    page = client.get(reverse("customer:order", kwargs={"order_number": order.number}))
    assert page.status_code == 200
    assert "消费帮扶九折" in page.content.decode()

    client.force_login(staff)
    page = client.get(reverse("dashboard:order-detail", kwargs={"number": order.number}))
    assert page.status_code == 200
