"""An order number is never given twice. The order's INSERT finds a number already taken
(the column is unique) instead of a query before it: placing then raises Oscar's
ValueError, writes nothing of the second order and leaves its basket open, and the
transaction around it goes on."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from oscar.core.loading import get_model

from marketplace.order.placement import order_create_from_basket
from tests.factories import UserFactory

from .conftest import ADDRESS, basket_with

pytestmark = pytest.mark.django_db

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
Line = get_model("order", "Line")


def place(user, basket, number: str):
    return order_create_from_basket(
        basket=basket,
        user=user,
        shipping_address=ADDRESS,
        shipping_method_code="free-shipping",
        order_number=number,
    )


def test_a_number_already_taken_places_nothing_and_the_basket_stays_open(two_cooperatives):
    tea, honey = two_cooperatives
    first_buyer, second_buyer = UserFactory(), UserFactory()
    first = place(first_buyer, basket_with(first_buyer, [(tea, 1)]), "DX0001")
    basket = basket_with(second_buyer, [(honey, 2)])

    with transaction.atomic():  # a card payment places its order inside its transaction
        with pytest.raises(ValueError, match="DX0001"):
            place(second_buyer, basket, "DX0001")
        # the transaction is usable: the same basket is placed under a free number
        assert Order.objects.filter(number="DX0001").get() == first
        assert Basket.objects.get(pk=basket.pk).status == Basket.OPEN
        second = place(second_buyer, Basket.objects.get(pk=basket.pk), "DX0002")

    assert list(Order.objects.order_by("number").values_list("number", "user")) == [
        ("DX0001", first_buyer.pk),
        ("DX0002", second_buyer.pk),
    ]
    assert [(line.product_id, line.quantity) for line in first.lines.all()] == [(tea.pk, 1)]
    assert [(line.product_id, line.quantity) for line in second.lines.all()] == [(honey.pk, 2)]
    assert Line.objects.count() == 2


def test_placing_asks_nothing_before_writing_the_order(two_cooperatives):
    tea, _honey = two_cooperatives
    buyer = UserFactory()
    basket = basket_with(buyer, [(tea, 1)])
    with CaptureQueriesContext(connection) as queries:
        place(buyer, basket, "DX0003")
    assert not any(
        q["sql"].startswith('SELECT 1 AS "a" FROM "order_order"') for q in queries.captured_queries
    )
