from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.apps.partner.strategy import Selector
from oscar.core.loading import get_class, get_model
from oscar.test.factories import BasketFactory, ProductClassFactory, create_order

from producers.models import Cooperative
from tests.factories import CooperativeFactory
from tests.store_factories import cooperative_staff_create, product_create

StockRecordForm = get_class("dashboard.catalogue.forms", "StockRecordForm")
Partner = get_model("partner", "Partner")
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
