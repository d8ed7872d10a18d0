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


def test_the_thank_you_page_shows_the_discount_the_order_was_given(
    client, stripe_fake, customer, two_cooperatives
):
    # The page answers the order's discount properties from the discounts it loaded once.
    tea, _honey = two_cooperatives
    order = discounted_order_paid(stripe=stripe_fake, user=customer, items=[(tea, 2)])
    client.force_login(customer)
    session = client.session
    session["checkout_order_id"] = order.pk
    session.save()

    page = client.get(reverse("checkout:thank-you"))

    assert page.status_code == 200
    assert "消费帮扶九折" in page.content.decode()
    assert list(page.context["order"].basket_discounts) == list(order.discounts.all())
    assert list(page.context["order"].shipping_discounts) == []
