"""The listing and search pages keep their filters, result count and product grid in the
cache under a version of the catalogue data: a change buyers must see shows at once, and
cached product cards never carry another visitor's CSRF token."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from marketplace.catalogue.services import certificate_suspend
from tests.marketplace.test_storefront import county_create, county_product
from tests.store_factories import county_officer_create

pytestmark = pytest.mark.django_db


def listed_titles(response) -> list[str]:
    return re.findall(r'<h3 class="mt-3">\s*<a [^>]*title="([^"]+)"', response.content.decode())


def test_a_product_added_after_the_listing_was_cached_is_listed_at_once(client):
    # Given a listing page rendered (and cached) with one product
    county = county_create()
    county_product(county=county, title="凉山苦荞茶")
    assert listed_titles(client.get(reverse("catalogue:index"))) == ["凉山苦荞茶"]

    # When a cooperative lists a second product
    county_product(county=county, title="昭觉蜂蜜")

    # Then the next visitor sees both, and the count says so
    response = client.get(reverse("catalogue:index"))
    assert sorted(listed_titles(response)) == ["凉山苦荞茶", "昭觉蜂蜜"]
    assert "共 <strong>2</strong> 件产品" in response.content.decode()


def test_a_product_whose_certificate_is_suspended_leaves_the_cached_search_at_once(client):
    # Given a search result rendered (and cached) with a product
    county = county_create()
    product = county_product(county=county, title="凉山苦荞茶")
    search = reverse("search:search") + "?q=苦荞"
    assert listed_titles(client.get(search)) == ["凉山苦荞茶"]

    # When the county office suspends its certificate
    certificate_suspend(
        certificate=product.certificates.get(),
        officer=county_officer_create(county=county),
        reason="抽检不合格",
    )

    # Then the search no longer offers it
    response = client.get(search)
    assert listed_titles(response) == []
    assert response.context["paginator"].count == 0


def test_a_cached_product_card_carries_each_visitors_own_csrf_token():
    # Given a first visitor whose listing page filled the cache
    county_product(county=county_create(), title="凉山苦荞茶")
    first = Client(enforce_csrf_checks=True)
    first.get(reverse("catalogue:index"))

    # When a second visitor gets the cached page and adds the product from its card
    second = Client(enforce_csrf_checks=True)
    page = second.get(reverse("catalogue:index")).content.decode()
    action, token = re.search(
        r'<form action="([^"]+)" method="post">\s*<input type="hidden" '
        r'name="csrfmiddlewaretoken" value="([^"]+)"',
        page,
    ).groups()
    response = second.post(action, {"quantity": 1, "csrfmiddlewaretoken": token})

    # Then the form is accepted with the second visitor's own token
    assert response.status_code == 302
