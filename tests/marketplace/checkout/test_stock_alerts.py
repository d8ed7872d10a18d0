"""Oscar's alerts still follow each allocation of stock (a card payment holds its units on
the pay page): the cooperative's low-stock alert opens when the units left fall below its
threshold, once, and closes when they no longer are; a customer waiting to hear that a
product can be bought again hears it. The allocation's UPDATE now says whether there is
any alert to look at, so that the common case (none) asks nothing more."""

import pytest
from django.core import mail
from oscar.core.loading import get_model

from tests.factories import UserFactory

from .conftest import basket_with, start_payment

pytestmark = pytest.mark.django_db

StockAlert = get_model("partner", "StockAlert")
StockRecord = get_model("partner", "StockRecord")
ProductAlert = get_model("customer", "ProductAlert")
Notification = get_model("communication", "Notification")


def buy(product, quantity: int = 1):
    buyer = UserFactory()
    return start_payment(buyer, basket_with(buyer, [(product, quantity)]))


def test_the_low_stock_alert_opens_once_when_the_units_left_fall_below_the_threshold(
    stripe_fake, two_cooperatives
):
    tea, _honey = two_cooperatives  # 5 in stock
    stockrecord = tea.stockrecords.get()
    stockrecord.low_stock_threshold = 4
    stockrecord.save()

    buy(tea)  # 4 left: not below 4
    assert not StockAlert.objects.exists()

    buy(tea)  # 3 left
    alert = StockAlert.objects.get()
    assert (alert.stockrecord_id, alert.threshold, alert.status) == (
        stockrecord.pk,
        4,
        StockAlert.OPEN,
    )

    buy(tea)  # 2 left: the alert is already open
    assert StockAlert.objects.count() == 1


def test_an_allocation_closes_the_alert_when_stock_came_in_without_a_save(
    stripe_fake, two_cooperatives
):
    tea, _honey = two_cooperatives
    stockrecord = tea.stockrecords.get()
    stockrecord.low_stock_threshold = 4
    stockrecord.num_in_stock = 3
    stockrecord.save()
    alert = StockAlert.objects.get(status=StockAlert.OPEN)
    StockRecord.objects.filter(pk=stockrecord.pk).update(num_in_stock=50)  # no signal

    buy(tea)

    alert.refresh_from_db()
    assert alert.status == StockAlert.CLOSED
    assert not StockAlert.objects.filter(status=StockAlert.OPEN).exists()


def test_a_customer_waiting_for_the_product_hears_of_it_at_the_next_allocation(
    stripe_fake, two_cooperatives
):
    # Given a customer who asked to be told when the tea can be bought (it could not be,
    # then it could again without its stock record being saved: a renewed certificate)
    tea, honey = two_cooperatives
    waiting = UserFactory()
    alert = ProductAlert.objects.create(product=tea, user=waiting, status=ProductAlert.ACTIVE)

    # When someone buys honey, nothing is sent; when someone buys the tea, it is
    buy(honey)
    assert not Notification.objects.exists()
    alert.refresh_from_db()
    assert alert.status == ProductAlert.ACTIVE

    buy(tea)
    alert.refresh_from_db()
    assert alert.status == ProductAlert.CLOSED
    assert Notification.objects.filter(recipient=waiting).count() == 1
    assert [message.to for message in mail.outbox] == [[waiting.email]]
