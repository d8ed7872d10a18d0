"""What buyers see: the public trace page, and the cooperative's packing slip."""

from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from producers.income.models import LineTrace
from producers.income.services import events_process
from tests.factories import UserFactory
from tests.store_factories import certified_cooperative, cooperative_staff_create

from .conftest import order_create, settlement_record

Order = get_model("order", "Order")
ShippingAddress = get_model("order", "ShippingAddress")
Country = get_model("address", "Country")

pytestmark = pytest.mark.django_db


def _settled_line(world):
    order = order_create(items=[(world["product"], 2, Decimal("38.00"))])
    events_process(payment_event_ids=[settlement_record(order=order).pk])
    return order.lines.get()


def test_anyone_sees_where_a_line_went_by_its_trace_code(client, linked_cooperative):
    # Given a settled line that reached 5 households with ¥34.20
    line = _settled_line(linked_cooperative)
    code = line.trace.code

    # When an anonymous visitor opens its trace page
    response = client.get(reverse("income:trace", args=[code]))

    # Then they see county, cooperative, households reached and amount, and a QR code
    assert response.status_code == 200
    page = response.content.decode()
    cooperative = linked_cooperative["cooperative"]
    assert cooperative.legal_name in page
    assert cooperative.county.name in page
    assert "5 户" in page
    assert "¥34.20" in page
    assert "<svg" in page
    # and nothing personal: no household's name or register number, no buyer
    household = linked_cooperative["suppliers"][0]
    assert household.head_name not in page
    assert household.register_number not in page
    assert line.order.guest_email not in page
    assert line.order.number not in page


def test_the_trace_page_looks_like_the_rest_of_the_site(client, linked_cooperative):
    line = _settled_line(linked_cooperative)

    page = client.get(reverse("income:trace", args=[line.trace.code])).content.decode()

    assert 'class="site-header"' in page and "site-footer" in page
    assert 'class="breadcrumb"' in page
    assert page.count('<section class="card') == 2  # the trace, and the QR code beside it
    assert f'href="{line.product.get_absolute_url()}"' in page


def test_an_unknown_trace_code_is_not_found(client, db):
    assert client.get(reverse("income:trace", args=["0123456789ABCDEF0123"])).status_code == 404


def test_a_cooperative_prints_a_packing_slip_with_trace_and_qr_codes(client, linked_cooperative):
    line = _settled_line(linked_cooperative)
    client.force_login(cooperative_staff_create(cooperative=linked_cooperative["cooperative"]))

    response = client.get(reverse("income:packing-slip", args=[line.order.number]))

    assert response.status_code == 200
    page = response.content.decode()
    assert line.trace.code in page
    assert page.count("<svg") == 1  # one QR code per line


def test_the_packing_slip_writes_the_address_as_chinese_users_do(client, linked_cooperative):
    # Given an order shipped to a Chengdu address
    line = _settled_line(linked_cooperative)
    country, _ = Country.objects.get_or_create(
        iso_3166_1_a2="CN", defaults={"name": "中国", "printable_name": "中国"}
    )
    address = ShippingAddress.objects.create(
        last_name="王芳",
        phone_number="+8613800138000",
        state="四川省",
        line4="成都市",
        line3="武侯区",
        line1="人民南路四段 9 号",
        postcode="610041",
        country=country,
    )
    Order.objects.filter(pk=line.order_id).update(shipping_address=address)
    client.force_login(cooperative_staff_create(cooperative=linked_cooperative["cooperative"]))

    page = client.get(reverse("income:packing-slip", args=[line.order.number])).content.decode()

    # Then the slip reads recipient, mobile, province, city, district, street, postcode
    parts = ["王芳", "138 0013 8000", "四川省", "成都市", "武侯区", "人民南路四段 9 号", "610041"]
    positions = [page.index(part) for part in parts]
    assert positions == sorted(positions)


def test_a_packing_slip_gives_a_trace_code_to_a_line_not_settled_yet(client, linked_cooperative):
    order = order_create(items=[(linked_cooperative["product"], 1, Decimal("38.00"))])
    client.force_login(cooperative_staff_create(cooperative=linked_cooperative["cooperative"]))

    client.get(reverse("income:packing-slip", args=[order.number]))
    client.get(reverse("income:packing-slip", args=[order.number]))

    assert LineTrace.objects.filter(line__order=order).count() == 1


def test_another_cooperative_cannot_see_the_packing_slip(client, linked_cooperative):
    line = _settled_line(linked_cooperative)
    client.force_login(cooperative_staff_create(cooperative=certified_cooperative()))

    response = client.get(reverse("income:packing-slip", args=[line.order.number]))

    assert response.status_code == 404


def test_a_buyer_without_a_cooperative_is_refused_the_packing_slip(client, linked_cooperative):
    from tests.factories import UserFactory

    line = _settled_line(linked_cooperative)
    client.force_login(UserFactory())

    assert client.get(reverse("income:packing-slip", args=[line.order.number])).status_code == 403


@pytest.mark.parametrize("lines", [1, 8])
def test_the_packing_slip_takes_a_constant_number_of_queries(
    client, linked_cooperative, django_assert_max_num_queries, lines
):
    order = order_create(items=[(linked_cooperative["product"], 1, Decimal("38.00"))] * lines)
    events_process(payment_event_ids=[settlement_record(order=order).pk])
    client.force_login(cooperative_staff_create(cooperative=linked_cooperative["cooperative"]))

    with django_assert_max_num_queries(16):  # session, user, site frame, then 3 reads
        response = client.get(reverse("income:packing-slip", args=[order.number]))
    assert response.content.decode().count("<svg") == lines


def test_the_order_page_partial_shows_a_lines_trace(rf, linked_cooperative):
    from django.template.loader import render_to_string

    from producers.income.selectors import order_lines_trace

    line = _settled_line(linked_cooperative)
    html = render_to_string(
        "income/partials/order_line_trace.html",
        {"trace": order_lines_trace(lines=[line.pk])[line.pk]},
    )

    assert linked_cooperative["cooperative"].legal_name in html
    assert "¥34.20" in html
    assert reverse("income:trace", args=[line.trace.code]) in html


def test_a_code_printed_before_settlement_is_kept_when_the_payment_settles(
    client, linked_cooperative
):
    # Given a packing slip printed before the settlement task ran
    order = order_create(items=[(linked_cooperative["product"], 1, Decimal("38.00"))])
    client.force_login(cooperative_staff_create(cooperative=linked_cooperative["cooperative"]))
    client.get(reverse("income:packing-slip", args=[order.number]))
    printed = LineTrace.objects.get(line__order=order).code

    # When the payment settles
    events_process(payment_event_ids=[settlement_record(order=order).pk])

    # Then the printed code still traces the line
    assert LineTrace.objects.get(line__order=order).code == printed


def test_the_customers_order_page_shows_households_reached_and_their_income(
    client, linked_cooperative
):
    # Given a customer's settled order line that reached 5 households with ¥34.20
    line = _settled_line(linked_cooperative)
    customer = UserFactory()
    Order.objects.filter(pk=line.order_id).update(user=customer)

    # When the customer opens the order in their account
    client.force_login(customer)
    response = client.get(reverse("customer:order", kwargs={"order_number": line.order.number}))

    # Then the line shows its county, cooperative, households reached and their income
    page = response.content.decode()
    cooperative = linked_cooperative["cooperative"]
    assert cooperative.county.name in page and cooperative.legal_name in page
    assert "5 户" in page and "¥34.20" in page
    assert reverse("income:trace", args=[line.trace.code]) in page
