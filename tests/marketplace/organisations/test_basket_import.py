"""Bulk basket from a CSV of SKU and quantity: every bad row reported with its line number,
nothing added unless every row is good; UTF-8 and GBK files both read."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from marketplace.organisations.services.basket_import import basket_lines_import
from tests.factories import PASSWORD, OrganisationFactory, UserFactory
from tests.store_factories import certified_cooperative, product_create

from .builders import basket_with, member, tea_and_honey

pytestmark = pytest.mark.django_db


@pytest.fixture
def products():
    tea, honey = tea_and_honey()
    tea.upc = "DX-T-001"
    tea.save()
    honey_record = honey.stockrecords.get()
    honey_record.partner_sku = "ZJ-HONEY-500"
    honey_record.save()
    return tea, honey


def upload(text: str, encoding: str = "utf-8"):
    return SimpleUploadedFile("basket.csv", text.encode(encoding), content_type="text/csv")


def test_every_row_is_added_by_upc_or_partner_sku(products):
    tea, honey = products
    basket = basket_with(UserFactory(), [])

    result = basket_lines_import(
        basket=basket, file=upload("商品编码,数量\nDX-T-001,2\nZJ-HONEY-500,3\n")
    )

    assert result.ok
    assert {line.product: line.quantity for line in basket.all_lines()} == {tea: 2, honey: 3}


def test_a_gbk_file_is_read(products):
    tea, _honey = products
    basket = basket_with(UserFactory(), [])

    result = basket_lines_import(
        basket=basket, file=upload("商品编码,采购数量\r\nDX-T-001,1\r\n", encoding="gbk")
    )

    assert result.ok
    assert basket.all_lines()[0].product == tea


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_added(products):
    basket = basket_with(UserFactory(), [])
    text = (
        "商品编码,数量\n"
        "DX-T-001,2\n"  # good
        "NO-SUCH-SKU,1\n"  # line 3
        "ZJ-HONEY-500,0\n"  # line 4
        "ZJ-HONEY-500,两箱\n"  # line 5
        ",4\n"  # line 6
        "DX-T-001,4\n"  # line 7: 2 + 4 > 5 in stock
    )

    result = basket_lines_import(basket=basket, file=upload(text))

    assert [error.line for error in result.errors] == [3, 4, 5, 6, 7]
    assert "NO-SUCH-SKU" in result.errors[0].message
    assert "数量" in result.errors[1].message
    assert "凉山苦荞茶" in result.errors[4].message
    assert not basket.lines.exists()


def test_a_quantity_in_non_ascii_digits_is_reported_not_a_server_error(products):
    basket = basket_with(UserFactory(), [])

    result = basket_lines_import(basket=basket, file=upload("商品编码,数量\nDX-T-001,²\n"))

    assert [(error.line, error.message) for error in result.errors] == [
        (2, "数量应为1到9999之间的整数。")
    ]
    assert not basket.lines.exists()


def test_a_file_without_the_quantity_column_is_refused_at_line_one(products):
    basket = basket_with(UserFactory(), [])

    result = basket_lines_import(basket=basket, file=upload("商品编码\nDX-T-001\n"))

    assert [(error.line, error.message) for error in result.errors] == [(1, "缺少列：数量。")]


def test_upload_page_lists_the_bad_rows(client, products):
    buyer = member(OrganisationFactory())
    client.login(email=buyer.email, password=PASSWORD)

    response = client.post(
        reverse("organisations:basket-upload"),
        {"file": upload("商品编码,数量\nDX-T-001,1\nNOPE,1\n")},
    )

    page = response.content.decode()
    assert "第3行" in page
    assert "找不到商品编码“NOPE”。" in page


def test_upload_page_fills_the_basket_and_goes_to_it(client, products):
    tea, _honey = products
    buyer = member(OrganisationFactory())
    client.login(email=buyer.email, password=PASSWORD)

    response = client.post(
        reverse("organisations:basket-upload"), {"file": upload("SKU,qty\nDX-T-001,2\n")}
    )

    assert response.status_code == 302
    summary = client.get(reverse("basket:summary"))
    assert summary.context["basket"].num_items == 2


# --- size: rows capped, queries fixed, the error page bounded (issue 21) ----------------------


def many_products(count: int) -> list:
    """`count` products of one certified cooperative, each with a partner SKU P0000, P0001…"""
    cooperative = certified_cooperative()
    products = []
    for number in range(count):
        product = product_create(cooperative=cooperative, title=f"苦荞茶{number}", num_in_stock=50)
        record = product.stockrecords.get()
        record.partner_sku = f"P{number:04d}"
        record.save()
        products.append(product)
    return products


def csv_of(rows) -> str:
    return "商品编码,数量\n" + "".join(f"{sku},{quantity}\n" for sku, quantity in rows)


def test_a_file_over_the_row_limit_is_refused_whole_with_the_limit(products, settings):
    settings.BASKET_IMPORT_MAX_ROWS = 3
    basket = basket_with(UserFactory(), [])

    result = basket_lines_import(
        basket=basket, file=upload(csv_of([("DX-T-001", 1)] * 2 + [("ZJ-HONEY-500", 1)] * 2))
    )

    assert [(error.line, error.message) for error in result.errors] == [
        (1, "文件有4行商品，一次最多导入3行。请分成几个文件分批上传。")
    ]
    assert not basket.lines.exists()


def test_the_default_row_limit_is_500():
    from django.conf import settings

    assert settings.BASKET_IMPORT_MAX_ROWS == 500


def test_the_import_costs_the_same_queries_for_2_rows_as_for_40(django_assert_max_num_queries):
    products = many_products(40)
    few = basket_with(UserFactory(), [(products[0], 1)])
    many = basket_with(UserFactory(), [(products[0], 1)])

    with CaptureQueriesContext(connection) as two_rows:
        assert basket_lines_import(basket=few, file=upload(csv_of([("P0000", 2), ("P0001", 1)]))).ok
    with django_assert_max_num_queries(len(two_rows)):
        result = basket_lines_import(
            basket=many, file=upload(csv_of((f"P{n:04d}", 2) for n in range(40)))
        )

    assert result.ok
    quantities = {line.product: line.quantity for line in many.all_lines()}
    assert quantities[products[0]] == 3  # the line already in the basket, added to
    assert quantities[products[39]] == 2
    assert len(quantities) == 40


def test_the_upload_page_lists_the_first_errors_and_counts_the_rest(client, products, settings):
    settings.BASKET_IMPORT_ERRORS_SHOWN = 5
    buyer = member(OrganisationFactory())
    client.login(email=buyer.email, password=PASSWORD)

    response = client.post(
        reverse("organisations:basket-upload"),
        {"file": upload(csv_of((f"NOPE{n}", 1) for n in range(12)))},
    )

    page = response.content.decode()
    assert "第6行" in page  # the fifth bad row (the header is line 1)
    assert "第7行" not in page
    assert "另有7处错误未列出" in page


def many_variants(count: int) -> list:
    """`count` variants (child products, whose class is their parent's) of one certified
    cooperative's product, each with a partner SKU V0000, V0001…"""
    parent = product_create(title="凉山苦荞茶")
    Product = type(parent)
    Product.objects.filter(pk=parent.pk).update(structure=Product.PARENT)
    parent.stockrecords.all().delete()
    variants = []
    for number in range(count):
        child = product_create(cooperative=parent.cooperative, title=f"{number}克", num_in_stock=50)
        Product.objects.filter(pk=child.pk).update(
            structure=Product.CHILD, parent=parent, product_class=None
        )
        record = child.stockrecords.get()
        record.partner_sku = f"V{number:04d}"
        record.save()
        variants.append(child)
    return variants


def test_importing_variants_costs_the_same_queries_for_2_rows_as_for_20():
    variants = many_variants(20)
    few = basket_with(UserFactory(), [])
    many = basket_with(UserFactory(), [])

    with CaptureQueriesContext(connection) as two_rows:
        assert basket_lines_import(basket=few, file=upload(csv_of([("V0000", 2), ("V0001", 1)]))).ok
    with CaptureQueriesContext(connection) as twenty_rows:
        result = basket_lines_import(
            basket=many, file=upload(csv_of((f"V{n:04d}", 2) for n in range(20)))
        )

    assert result.ok
    assert len(twenty_rows) == len(two_rows)
    quantities = {line.product: line.quantity for line in many.all_lines()}
    assert quantities[variants[19]] == 2
    assert len(quantities) == 20
