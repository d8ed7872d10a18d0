"""County pages come from the page cache for anonymous visitors, and show a purchase or an
edit at once; other CMS pages are rendered for each request."""

import re

import pytest
from django.test import Client

from tests.store_factories import certified_cooperative, product_create

from .conftest import county_page_create, purchase

pytestmark = pytest.mark.django_db


def amount(response) -> str:
    return re.search(r'id="county-amount">([^<]+)<', response.content.decode()).group(1)


def rendered(response) -> bool:
    return any(t.name == "cms/county_page.html" for t in response.templates)


@pytest.fixture
def county_page(home_page):
    cooperative = certified_cooperative()
    tea = product_create(title="火普村苦荞茶", cooperative=cooperative)
    page = county_page_create(home=home_page, region=cooperative.county)
    return page, tea


def test_an_anonymous_visitor_gets_the_cached_county_page(
    county_page, django_assert_max_num_queries
):
    page, _tea = county_page
    Client().get(page.url)  # the first visit learns the page type
    first = Client().get(page.url)  # the second fills the cache

    with django_assert_max_num_queries(2):  # the versions of the catalogue and the county
        second = Client().get(page.url)

    assert rendered(first) and not rendered(second)
    assert "火普村苦荞茶" in second.content.decode()


def test_a_settled_purchase_shows_on_the_county_page_at_once(county_page):
    page, tea = county_page
    for _ in range(2):
        assert amount(Client().get(page.url)) == "¥0.00"

    purchase(items=[(tea, 2)])

    assert amount(Client().get(page.url)) != "¥0.00"


def test_a_published_edit_shows_on_the_county_page_at_once(county_page):
    page, _tea = county_page
    for _ in range(2):
        Client().get(page.url)

    page.intro = "新的县情介绍"
    page.save_revision().publish()

    assert "新的县情介绍" in Client().get(page.url).content.decode()


def test_the_home_page_is_rendered_for_every_visitor(home_page):
    for _ in range(3):
        response = Client().get("/")
        assert response.status_code == 200
        assert response.templates
