"""Signed-in buyers' pages: a consumer and an institutional buyer (an organisation's approved
member), each with a non-empty basket, get the product page, the catalogue list and search in
a small, fixed number of queries whatever the catalogue's size, writing nothing (the views
are counted afterwards: test_analytics_on_worker.py); and what the reader sees of their own
(basket summary, wish lists, workspaces) is theirs, however the shared body of the page came
from the cache."""

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from oscar.core.loading import get_class, get_model

from tests.marketplace.signed_in import (
    BUYERS,
    RichCatalogue,
    basket_add,
    consumer,
    institutional_buyer,
    sign_in,
    writes_in,
)
from tests.queries import statements_captured

pytestmark = pytest.mark.django_db

WishList = get_model("wishlists", "WishList")
Selector = get_class("partner.strategy", "Selector")

PRODUCT_PAGE_LIMIT = 12
LISTING_LIMIT = 10


def header_basket(html: str) -> tuple[str, str]:
    count = re.search(r'id="site-basket-count">(\d+)<', html).group(1)
    total = re.search(r'id="site-basket-total">([^<]+)<', html)
    return count, total.group(1) if total else ""


def counted(client, url: str) -> tuple[int, str, list]:
    """The page once to warm the caches a running site has warm, then counted."""
    assert client.get(url).status_code == 200
    with statements_captured() as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode(), list(queries)


@pytest.mark.parametrize("buyer", BUYERS)
def test_product_page_for_a_signed_in_buyer_runs_the_same_few_queries_at_3_and_30_products(
    client, buyer, django_assert_max_num_queries
):
    # Given a catalogue of 3 products and a signed-in buyer with two of them in the basket,
    # who has seen the third
    catalogue = RichCatalogue()
    catalogue.grow_to(3)
    sign_in(client, BUYERS[buyer]())
    product, other, seen = catalogue.products
    basket_add(client, product)
    basket_add(client, other, quantity=2)
    client.get(seen.get_absolute_url())
    url = product.get_absolute_url()

    # When the buyer opens the product page
    at_3, html, queries = counted(client, url)

    # Then it runs few queries and writes nothing
    assert at_3 <= PRODUCT_PAGE_LIMIT, [q["sql"] for q in queries]
    assert writes_in(queries) == []
    # and shows what it showed before: price, stock, attribute, origin, basket, wish list,
    # recently viewed
    purchase = Selector().strategy().fetch_for_product(product)
    assert "¥38.00" in html
    assert str(purchase.availability.message) in html
    assert "2300米" in html
    assert product.cooperative.legal_name in html
    assert re.search(r'id="product-origin-households">\s*2 户', html)
    assert header_basket(html) == ("3", "¥114.00")
    assert 'id="add_to_wishlist_form"' in html
    assert seen.get_title() in html.split("<!--recently-viewed-->")[1]

    # When the catalogue grows to 30 products
    catalogue.grow_to(30)
    assert client.get(url).status_code == 200  # a new catalogue version: the body again

    # Then the page runs no more queries
    with django_assert_max_num_queries(at_3):
        response = client.get(url)
    assert header_basket(response.content.decode()) == ("3", "¥114.00")


def test_two_buyers_get_their_own_basket_and_wish_list_on_the_same_cached_product_page(client):
    # Given one product page, and two buyers with different baskets; the first keeps the
    # product in a wish list
    catalogue = RichCatalogue()
    catalogue.grow_to(3)
    product, other, _ = catalogue.products
    first, second = consumer(), institutional_buyer()
    wishlist = WishList.objects.create(owner=first, name="年货清单")
    wishlist.add(product)
    sign_in(client, first)
    basket_add(client, product)
    url = product.get_absolute_url()
    first_page = client.get(url).content.decode()
    client.post(reverse("customer:logout"))
    sign_in(client, second)
    basket_add(client, product, quantity=2)
    basket_add(client, other)

    # When the second buyer, then the first again, open the page the first one filled
    second_page = client.get(url).content.decode()
    client.post(reverse("customer:logout"))
    sign_in(client, first)
    first_again = client.get(url).content.decode()

    # Then each sees their own basket and wish lists
    assert header_basket(first_page) == ("1", "¥38.00")
    assert header_basket(second_page) == ("3", "¥114.00")
    assert header_basket(first_again) == ("1", "¥38.00")
    assert "年货清单" in first_again and wishlist.key in first_again
    assert "年货清单" not in second_page and 'id="add_to_wishlist_form"' in second_page
    # and the page body is the same for both
    assert product.cooperative.legal_name in second_page
    # and the header's workspace links are each one's own
    assert 'id="workspace-organisation"' in second_page
    assert 'id="workspace-organisation"' not in first_again


def test_the_header_follows_the_basket_as_it_changes(client):
    # Given a signed-in consumer who has seen a product page with one item in the basket
    catalogue = RichCatalogue()
    catalogue.grow_to(2)
    product, other = catalogue.products
    sign_in(client, consumer())
    basket_add(client, product)
    url = product.get_absolute_url()
    assert header_basket(client.get(url).content.decode()) == ("1", "¥38.00")

    # When they add another product, then remove everything
    basket_add(client, other, quantity=3)
    after_add = client.get(url).content.decode()
    basket = get_model("basket", "Basket").open.get()
    for line in basket.all_lines():
        line.delete()
    after_removal = client.get(url).content.decode()

    # Then the header shows each basket as it is
    assert header_basket(after_add) == ("4", "¥152.00")
    assert header_basket(after_removal) == ("0", "")


def test_a_price_change_shows_on_the_next_page_of_a_signed_in_buyer(client):
    catalogue = RichCatalogue()
    catalogue.grow_to(1)
    product = catalogue.products[0]
    sign_in(client, consumer())
    basket_add(client, product)
    assert "¥38.00" in client.get(product.get_absolute_url()).content.decode()

    stockrecord = product.stockrecords.get()
    stockrecord.price = Decimal("42.50")
    stockrecord.save()

    html = client.get(product.get_absolute_url()).content.decode()
    assert "¥42.50" in html and "¥38.00" not in html
    assert header_basket(html) == ("1", "¥42.50")


def test_a_product_no_longer_for_sale_is_not_shown_to_a_signed_in_buyer(client):
    catalogue = RichCatalogue()
    catalogue.grow_to(1)
    product = catalogue.products[0]
    sign_in(client, consumer())
    assert client.get(product.get_absolute_url()).status_code == 200

    product.certificates.update(state="revoked")
    product.save()  # the page's facts are cached under the catalogue version

    assert client.get(product.get_absolute_url()).status_code == 404


LISTINGS = {
    "catalogue": lambda: reverse("catalogue:index"),
    "search": lambda: reverse("search:search") + "?q=苦荞",
}


@pytest.mark.parametrize("buyer", BUYERS)
@pytest.mark.parametrize("page", LISTINGS)
def test_listing_pages_for_a_signed_in_buyer_run_the_same_few_queries_at_3_and_30_products(
    client, buyer, page, django_assert_max_num_queries
):
    # Given a catalogue of 3 products and a signed-in buyer with one in the basket
    catalogue = RichCatalogue()
    catalogue.grow_to(3)
    sign_in(client, BUYERS[buyer]())
    basket_add(client, catalogue.products[0], quantity=2)
    url = LISTINGS[page]()

    # When the buyer opens the page
    at_3, html, queries = counted(client, url)

    # Then it runs few queries, writes nothing and shows the products and the basket
    assert at_3 <= LISTING_LIMIT, [q["sql"] for q in queries]
    assert writes_in(queries) == []
    assert all(product.get_title() in html for product in catalogue.products)
    assert header_basket(html) == ("2", "¥76.00")

    # When the catalogue grows to 30 products, the page runs no more queries
    catalogue.grow_to(30)
    assert client.get(url).status_code == 200
    with django_assert_max_num_queries(at_3):
        assert client.get(url).status_code == 200
