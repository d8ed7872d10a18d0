"""The thank-you page says whom the purchase helped, line by line, once settlement has
booked it, and plainly that it is being settled before; never the gateway's references."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from producers.income.services import events_process
from tests.factories import UserFactory

from .conftest import order_create, settlement_record

SourceType = get_model("payment", "SourceType")
Source = get_model("payment", "Source")

pytestmark = pytest.mark.django_db


def thank_you(client, order) -> str:
    """The page as the customer sees it right after checkout."""
    order.user = UserFactory()
    order.save(update_fields=["user"])
    client.force_login(order.user)
    session = client.session
    session["checkout_order_id"] = order.pk
    session.save()
    response = client.get(reverse("checkout:thank-you"))
    assert response.status_code == 200
    return response.content.decode()


def paid_by_stripe(order):
    Source.objects.create(
        order=order,
        source_type=SourceType.objects.get_or_create(name="Stripe", code="stripe")[0],
        currency="CNY",
        amount_allocated=order.total_incl_tax,
        amount_debited=order.total_incl_tax,
        reference="pi_3TestReference",
    )


def test_the_thank_you_page_shows_whom_each_line_helped(client, linked_cooperative):
    order = order_create(items=[(linked_cooperative["product"], 2, Decimal("38.00"))])
    paid_by_stripe(order)
    events_process(payment_event_ids=[settlement_record(order=order).pk])
    line = order.lines.get()

    page = thank_you(client, order)

    cooperative = linked_cooperative["cooperative"]
    section = re.search(r'id="thank-you-line-\d+".*?</section>', page, re.S).group(0)
    assert order.number in page
    assert cooperative.county.name in section
    assert cooperative.legal_name in section
    assert "5 户" in section
    assert "¥34.20" in section  # the share attributed to the households
    assert f'href="{reverse("income:trace", args=[line.trace.code])}"' in section
    assert "正在结算" not in page
    assert "pi_3TestReference" not in page
    assert "Stripe" not in page
    assert "¥76.00" in page


def test_before_settlement_the_page_says_it_is_being_settled(client, linked_cooperative):
    order = order_create(items=[(linked_cooperative["product"], 1, Decimal("38.00"))])
    paid_by_stripe(order)

    page = thank_you(client, order)

    section = re.search(r'id="thank-you-line-\d+".*?</section>', page, re.S).group(0)
    assert "正在结算，稍后可在订单页查看" in section
    assert linked_cooperative["cooperative"].legal_name in section
    assert "¥0.00" not in section and "0 户" not in section
    assert "pi_3TestReference" not in page
