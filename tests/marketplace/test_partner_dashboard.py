import re
from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.apps.partner.strategy import Selector
from oscar.core.loading import get_class, get_model
from oscar.test.factories import BasketFactory, ProductClassFactory, create_order

from marketplace.users import roles
from producers.models import Cooperative
from tests.factories import CooperativeFactory, UserFactory
from tests.marketplace.shared_orders import shared_order_create
from tests.store_factories import cooperative_staff_create, product_create

StockRecordForm = get_class("dashboard.catalogue.forms", "StockRecordForm")
Partner = get_model("partner", "Partner")
Product = get_model("catalogue", "Product")
ShippingAddress = get_model("order", "ShippingAddress")
pytestmark = pytest.mark.django_db


@pytest.fixture
def two_cooperative_order():
    mine = product_create(title="火普村土豆")
    theirs = product_create(title="布拖苦荞")
    basket = BasketFactory()
    basket.strategy = Selector().strategy()
    basket.add_product(mine)
    basket.add_product(theirs)
    order = create_order(basket=basket)
    return order, mine, theirs


def test_cooperative_sees_only_its_own_lines_of_an_order(client, two_cooperative_order):
    order, mine, _theirs = two_cooperative_order
    client.force_login(cooperative_staff_create(cooperative=mine.cooperative))

    response = client.get(reverse("dashboard:order-detail", args=[order.number]))

    assert response.status_code == 200
    assert [line.product for line in response.context["lines"]] == [mine]
    assert "布拖苦荞" not in response.content.decode()


def test_cooperative_cannot_open_another_cooperatives_line(client, two_cooperative_order):
    order, mine, theirs = two_cooperative_order
    client.force_login(cooperative_staff_create(cooperative=mine.cooperative))
    their_line = order.lines.get(product=theirs)

    url = reverse("dashboard:order-line-detail", args=[order.number, their_line.pk])

    assert client.get(url).status_code == 404


def test_cooperative_without_a_line_in_the_order_gets_404(client, two_cooperative_order):
    order, _mine, _theirs = two_cooperative_order
    stranger = cooperative_staff_create(cooperative=product_create().cooperative)
    client.force_login(stranger)

    assert client.get(reverse("dashboard:order-detail", args=[order.number])).status_code == 404


def _stock_form(user, partner):
    return StockRecordForm(
        ProductClassFactory(track_stock=True),
        user,
        data={
            "partner": partner.pk,
            "partner_sku": "SKU-1",
            "price_currency": "CNY",
            "price": "12.50",
            "num_in_stock": "10",
        },
    )


def test_uncertified_cooperative_cannot_put_stock_on_sale():
    cooperative = CooperativeFactory(state=Cooperative.State.APPLIED)
    staff = cooperative_staff_create(cooperative=cooperative)

    form = _stock_form(staff, cooperative.partner)

    assert not form.is_valid()
    assert "尚未通过供应商认定" in str(form.errors["partner"])


def test_certified_cooperative_stocking_a_new_product_becomes_its_maker():
    product = product_create(certificate_state=None)
    product.stockrecords.all().delete()
    product.cooperative = None
    product.save()
    cooperative = CooperativeFactory(state=Cooperative.State.CERTIFIED)
    staff = cooperative_staff_create(cooperative=cooperative)
    form = _stock_form(staff, cooperative.partner)
    form.instance.product = product

    assert form.is_valid(), form.errors
    form.save()

    product.refresh_from_db()
    assert product.cooperative == cooperative
    assert product.stockrecords.get().price == Decimal("12.50")


def test_a_cooperative_cannot_stock_another_cooperatives_product():
    product = product_create()
    cooperative = CooperativeFactory(state=Cooperative.State.CERTIFIED)
    staff = cooperative_staff_create(cooperative=cooperative)
    form = _stock_form(staff, cooperative.partner)
    form.instance.product = product

    assert not form.is_valid()
    assert "另一家合作社" in str(form.errors["partner"])


def test_cooperative_cannot_edit_another_cooperatives_product(client):
    mine = product_create()
    theirs = product_create()
    client.force_login(cooperative_staff_create(cooperative=mine.cooperative))

    own_page = client.get(reverse("dashboard:catalogue-product", args=[mine.pk]))
    their_page = client.get(reverse("dashboard:catalogue-product", args=[theirs.pk]))

    assert own_page.status_code == 200
    assert their_page.status_code in (403, 404)


def test_dashboard_product_list_shows_only_the_cooperatives_products(client):
    mine = product_create(title="自家核桃")
    product_create(title="别家花椒")
    client.force_login(cooperative_staff_create(cooperative=mine.cooperative))

    response = client.get(reverse("dashboard:catalogue-product-list"))

    assert [row.record.pk for row in response.context["products"].rows] == [mine.pk]


def test_cooperative_product_list_queries_do_not_grow_with_products(
    client, django_assert_max_num_queries
):
    first = product_create(certificate_state=None)
    client.force_login(cooperative_staff_create(cooperative=first.cooperative))
    url = reverse("catalogue-certification:cooperative-products")
    with django_assert_max_num_queries(30) as few:
        client.get(url)

    for index in range(20):
        product_create(cooperative=first.cooperative, title=f"产品{index}")

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["products"]) == 21


# --- an order two cooperatives share: each sees and changes only its own part ----------------

MY_SUBTOTAL = "123.40"  # 2 × ¥61.70, my cooperative's lines
THEIR_AMOUNT = "987.60"  # 1 × ¥987.60, the other cooperative's line
ORDER_TOTALS = ("1,111.00", "1111.00")  # the whole order


@pytest.fixture
def shared_order():
    mine = product_create(title="火普村土豆")
    theirs = product_create(title="布拖苦荞")
    order = shared_order_create(
        items=[(mine, 2, Decimal("61.70")), (theirs, 1, Decimal(THEIR_AMOUNT))]
    )
    return order, cooperative_staff_create(cooperative=mine.cooperative), theirs.cooperative


def assert_shows_only_my_amounts(html: str) -> None:
    assert MY_SUBTOTAL in html
    assert THEIR_AMOUNT not in html
    for total in ORDER_TOTALS:
        assert total not in html


def delivery_line(packing_slip) -> str:
    """The packing slip's delivery address: the recipient, their mobile and the address."""
    return re.search(
        r'<address class="address-zh">.*?</address>', packing_slip.content.decode(), re.S
    ).group(0)


def test_a_cooperative_cannot_change_the_address_of_an_order_it_shares(client, shared_order):
    # Given an order with my lines and another cooperative's, and their packing slip
    order, me, them = shared_order
    them_staff = cooperative_staff_create(cooperative=them)
    slip_url = reverse("income:packing-slip", args=[order.number])
    client.force_login(them_staff)
    their_slip = delivery_line(client.get(slip_url))
    assert "文三路 90 号" in their_slip
    url = reverse("dashboard:order-shipping-address", args=[order.number])
    client.force_login(me)

    # When I open the order's address form and post another address
    opened = client.get(url)
    posted = client.post(
        url,
        {
            "first_name": "四",
            "last_name": "李",
            "line1": "别处 1 号",
            "line4": "成都市",
            "state": "四川省",
            "postcode": "610000",
            "country": "CN",
        },
    )

    # Then I am refused, the address stays, and their packing slip is unchanged
    assert opened.status_code in (403, 404)
    assert posted.status_code in (403, 404)
    assert ShippingAddress.objects.get(pk=order.shipping_address_id).line1 == "文三路 90 号"
    client.force_login(them_staff)
    assert delivery_line(client.get(slip_url)) == their_slip


def test_platform_staff_change_the_address_of_a_shared_order(client, shared_order):
    # Only platform staff change a delivery address: it is every cooperative's parcel.
    order, _me, _them = shared_order
    client.force_login(UserFactory(roles=[roles.PLATFORM_ADMIN], is_staff=True, is_superuser=True))

    response = client.post(
        reverse("dashboard:order-shipping-address", args=[order.number]),
        {
            "first_name": "三",
            "last_name": "张",
            "line1": "文三路 100 号",
            "line4": "杭州市",
            "state": "浙江省",
            "postcode": "310012",
            "country": "CN",
        },
    )

    assert response.status_code == 302
    assert ShippingAddress.objects.get(pk=order.shipping_address_id).line1 == "文三路 100 号"


def test_a_cooperatives_order_page_shows_its_subtotal_not_the_order_total(client, shared_order):
    order, me, _them = shared_order
    client.force_login(me)

    response = client.get(reverse("dashboard:order-detail", args=[order.number]))

    assert response.status_code == 200
    assert response.context["own_subtotal"] == Decimal(MY_SUBTOTAL)
    assert_shows_only_my_amounts(response.content.decode())
    assert reverse("dashboard:order-shipping-address", args=[order.number]) not in (
        response.content.decode()
    )


def test_a_cooperatives_order_list_shows_its_own_subtotal(client, shared_order):
    _order, me, _them = shared_order
    client.force_login(me)

    response = client.get(reverse("dashboard:order-list"))

    assert response.status_code == 200
    assert_shows_only_my_amounts(response.content.decode())


def test_a_cooperatives_order_search_matches_only_its_own_lines(client, shared_order):
    # Searching for what the other cooperative sold must not tell which orders hold it.
    order, me, _them = shared_order
    client.force_login(me)
    url = reverse("dashboard:order-list")

    theirs = client.get(url, {"product_title": "布拖苦荞"})
    mine = client.get(url, {"product_title": "火普村土豆"})

    assert list(theirs.context["orders"]) == []
    assert [found.number for found in mine.context["orders"]] == [order.number]


def test_a_cooperatives_order_csv_has_its_own_subtotal_and_units(client, shared_order):
    _order, me, _them = shared_order
    client.force_login(me)

    response = client.get(reverse("dashboard:order-list") + "?response_format=csv")

    rows = response.content.decode("utf-8-sig").splitlines()
    assert len(rows) == 2
    assert MY_SUBTOTAL in rows[1] and ",2," in rows[1]
    assert THEIR_AMOUNT not in rows[1] and "1111.00" not in rows[1]


def test_a_cooperatives_dashboard_shows_its_own_revenue(client, shared_order):
    _order, me, _them = shared_order
    client.force_login(me)

    response = client.get(reverse("dashboard:index"))

    assert response.status_code == 200
    assert response.context["total_revenue"] == Decimal(MY_SUBTOTAL)
    assert response.context["total_revenue_last_day"] == Decimal(MY_SUBTOTAL)
    assert_shows_only_my_amounts(response.content.decode())


def test_a_cooperatives_order_statistics_show_its_own_revenue(client, shared_order):
    _order, me, _them = shared_order
    client.force_login(me)

    response = client.get(reverse("dashboard:order-stats"))

    assert response.status_code == 200
    assert response.context["total_revenue"] == Decimal(MY_SUBTOTAL)
    assert response.context["total_lines"] == 1
    assert_shows_only_my_amounts(response.content.decode())


def test_platform_staff_see_the_whole_orders_total(client, shared_order):
    order, _me, _them = shared_order
    client.force_login(UserFactory(roles=[roles.PLATFORM_ADMIN], is_staff=True, is_superuser=True))

    page = client.get(reverse("dashboard:order-detail", args=[order.number])).content.decode()
    listing = client.get(reverse("dashboard:order-list")).content.decode()

    assert "1,111.00" in page and THEIR_AMOUNT in page
    assert "1,111.00" in listing


def test_a_cooperative_cannot_delete_its_product_from_the_dashboard(client):
    # A product carries its certificates and the history of its sold lines: a cooperative
    # takes stock off sale; only platform staff delete.
    product = product_create()
    client.force_login(cooperative_staff_create(cooperative=product.cooperative))

    response = client.post(reverse("dashboard:catalogue-product-delete", args=[product.pk]))

    assert response.status_code == 403
    assert Product.objects.filter(pk=product.pk).exists()


def test_a_cooperative_cannot_add_a_variant_under_another_cooperatives_product(client):
    theirs = product_create(title="布拖苦荞")
    parent = Product.objects.create(
        title="布拖苦荞礼盒", structure=Product.PARENT, product_class=theirs.product_class
    )
    theirs.parent, theirs.structure, theirs.product_class = parent, Product.CHILD, None
    theirs.save()
    me = cooperative_staff_create(cooperative=product_create().cooperative)
    client.force_login(me)

    response = client.get(reverse("dashboard:catalogue-product-create-child", args=[parent.pk]))

    assert response.status_code == 404


def test_a_cooperatives_order_list_runs_the_same_queries_for_2_and_12_orders(
    client, django_assert_max_num_queries
):
    # Given a cooperative with two orders it shares with another cooperative
    mine, theirs = product_create(title="火普村土豆"), product_create(title="布拖苦荞")
    items = [(mine, 2, Decimal("61.70")), (theirs, 1, Decimal(THEIR_AMOUNT))]
    for _ in range(2):
        shared_order_create(items=items)
    client.force_login(cooperative_staff_create(cooperative=mine.cooperative))
    url = reverse("dashboard:order-list")
    client.get(url)
    with django_assert_max_num_queries(50) as at_2:
        client.get(url)

    # When it has twelve
    for _ in range(10):
        shared_order_create(items=items)

    # Then its order list runs no more queries, each order with its own subtotal
    with django_assert_max_num_queries(len(at_2.captured_queries)):
        response = client.get(url)
    assert [order.own_subtotal for order in response.context["orders"]] == [
        Decimal(MY_SUBTOTAL)
    ] * 12
