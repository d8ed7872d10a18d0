"""Catalogue pages for anonymous visitors come from the page cache: the same page for
everyone without a session, each with their own CSRF token, a fresh page as soon as the
catalogue changes, and never a page meant for a signed-in buyer or a basket's owner."""

import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.marketplace.test_storefront import county_create, county_product
from tests.store_factories import cooperative_staff_create

pytestmark = pytest.mark.django_db


def product_url(product) -> str:
    return reverse("catalogue:detail", kwargs={"product_slug": product.slug, "pk": product.pk})


def add_to_basket_form(page: str) -> tuple[str, str]:
    return re.search(
        r'<form [^>]*action="([^"]*/basket/add/[^"]*)"[^>]*method="post"[^>]*>\s*'
        r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)"',
        page,
    ).groups()


def test_an_anonymous_visitor_gets_the_cached_page_in_one_query(django_assert_max_num_queries):
    # Given a product page rendered once for a first visitor
    product = county_product(county=county_create(), title="凉山苦荞茶")
    first = Client().get(product_url(product))
    assert first.status_code == 200

    # When a second visitor without a session opens it
    with django_assert_max_num_queries(1):  # the catalogue version
        second = Client().get(product_url(product))

    # Then they see the same page, with their own CSRF token
    assert second.status_code == 200
    assert second.templates == []  # nothing was rendered
    assert "凉山苦荞茶" in second.content.decode()
    token = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
    assert token.findall(second.content.decode())
    assert set(token.findall(first.content.decode())).isdisjoint(
        token.findall(second.content.decode())
    )


def test_the_cached_product_page_adds_to_the_basket_with_the_visitors_own_token():
    # Given a product page in the cache
    product = county_product(county=county_create(), title="凉山苦荞茶")
    Client().get(product_url(product))

    # When another visitor adds the product from the cached page
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(product_url(product))
    assert page.templates == []
    action, token = add_to_basket_form(page.content.decode())
    response = visitor.post(action, {"quantity": 1, "csrfmiddlewaretoken": token})

    # Then the form is accepted, and from then on they get pages made for them
    assert response.status_code == 302
    basket_page = visitor.get(product_url(product))
    assert basket_page.templates != []
    assert basket_page.context["request"].basket.num_items == 1


def test_a_price_change_shows_at_once():
    # Given a cached product page
    product = county_product(county=county_create(), title="凉山苦荞茶")
    assert "38.00" in Client().get(product_url(product)).content.decode()

    # When the cooperative changes the price
    stockrecord = product.stockrecords.get()
    stockrecord.price = Decimal("42.50")
    stockrecord.save()

    # Then the next anonymous visitor sees the new price
    page = Client().get(product_url(product)).content.decode()
    assert "42.50" in page
    assert "38.00" not in page


def test_signed_in_users_get_their_own_page(django_user_model):
    # Given the product page cached for anonymous visitors
    product = county_product(county=county_create(), title="凉山苦荞茶")
    anonymous = Client().get(product_url(product)).content.decode()
    assert "退出" not in anonymous

    # When someone of the cooperative signs in and opens it
    member = cooperative_staff_create(cooperative=product.cooperative)
    client = Client()
    client.force_login(member)
    page = client.get(product_url(product))

    # Then the page is rendered for them, not taken from the cache
    assert page.templates != []
    assert page.context["request"].user == member


def test_each_language_has_its_own_cached_page():
    product = county_product(county=county_create(), title="凉山苦荞茶")
    chinese = Client().get(product_url(product))
    with translation.override("en"):
        english_url = product_url(product)
    english = Client().get(english_url)
    english_again = Client().get(english_url)

    assert english_url.startswith("/en/")
    assert english.templates != []  # not the Chinese page from the cache
    assert english_again.templates == []
    assert '<html lang="en"' in english_again.content.decode()
    assert '<html lang="zh-hans"' in chinese.content.decode()
    assert english_again["Content-Language"] == "en"


def test_the_cached_page_keeps_the_security_headers():
    product = county_product(county=county_create(), title="凉山苦荞茶")
    first = Client().get(product_url(product))
    second = Client().get(product_url(product))

    assert second.templates == []
    for header in ("Content-Security-Policy", "X-Frame-Options", "Content-Type"):
        assert second[header] == first[header]


def test_a_cached_product_page_shows_the_visitors_own_recently_viewed_products():
    # Given a product page cached by a visitor who had looked at honey before
    county = county_create()
    tea = county_product(county=county, title="凉山苦荞茶")
    honey = county_product(county=county, title="昭觉蜂蜜")
    pepper = county_product(county=county, title="汉源花椒")
    first = Client()
    first.get(product_url(honey))
    assert "昭觉蜂蜜" in first.get(product_url(tea)).content.decode()

    # When another visitor, who looked at pepper, opens the cached tea page
    second = Client()
    second.get(product_url(pepper))
    page = second.get(product_url(tea))

    # Then they see their own history, not the first visitor's, and tea joins it
    assert "oscar/catalogue/detail.html" not in [t.name for t in page.templates]
    content = page.content.decode()
    assert "汉源花椒" in content and "昭觉蜂蜜" not in content
    assert page.cookies["oscar_history"].value == f"[{pepper.pk}, {tea.pk}]"
    assert page.cookies["oscar_history"]["max-age"]

    # And a visitor with no history sees no such panel
    assert "汉源花椒" not in Client().get(product_url(tea)).content.decode()


def test_a_page_with_a_message_for_the_visitor_is_not_taken_from_the_cache():
    product = county_product(county=county_create(), title="凉山苦荞茶")
    Client().get(product_url(product))
    client = Client()
    client.cookies["messages"] = "anything"

    assert client.get(product_url(product)).templates != []


def test_a_product_sold_out_while_its_page_was_cached_cannot_be_added_from_it():
    # Given a cached product page of the last unit in stock
    product = county_product(county=county_create(), title="凉山苦荞茶", num_in_stock=1)
    Client().get(product_url(product))

    # When an order takes that unit (which changes no catalogue version) ...
    product.stockrecords.get().allocate(1)

    # ... and a visitor adds the product from the page still in the cache
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(product_url(product))
    assert page.templates == []
    action, token = add_to_basket_form(page.content.decode())
    response = visitor.post(action, {"quantity": 1, "csrfmiddlewaretoken": token}, follow=True)

    # Then the basket stays empty and the visitor is told why
    assert response.context["request"].basket.num_items == 0
    assert [str(m) for m in response.context["messages"]]
