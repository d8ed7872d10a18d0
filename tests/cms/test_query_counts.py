"""The home page and a county page run a fixed number of queries whatever the number of
featured products, counties, cooperatives and purchases."""

import pytest

from tests.factories import CountyFactory, VillageFactory
from tests.store_factories import certified_cooperative, product_create

from .conftest import county_page_create, purchase

pytestmark = pytest.mark.django_db

SIZES = [3, 30]
HOME_QUERIES = 20
COUNTY_QUERIES = 24


def _county_with_products(county, count: int) -> list:
    products = []
    for n in range(count):
        cooperative = certified_cooperative(village=VillageFactory(parent__parent=county))
        products.append(product_create(title=f"产品{n}", cooperative=cooperative))
    return products


@pytest.mark.parametrize("size", SIZES)
def test_home_page_queries_do_not_grow_with_its_blocks(
    client, home_page, django_assert_max_num_queries, size
):
    # Given a home page featuring `size` products and `size` counties, each with pages and
    # settled purchases
    counties = [CountyFactory() for _ in range(size)]
    products = [_county_with_products(county, 1)[0] for county in counties]
    for county in counties:
        county_page_create(home=home_page, region=county)
    for product in products:
        purchase(items=[(product, 2)])
    home_page.body = [
        *home_page.body.raw_data,
        {"type": "products", "value": {"products": [str(p.pk) for p in products]}},
        {"type": "counties", "value": {"counties": [str(c.pk) for c in counties]}},
    ]
    home_page.save_revision().publish()

    # When the home page is shown, then the query count stays the same
    with django_assert_max_num_queries(HOME_QUERIES):
        response = client.get("/")
    assert response.status_code == 200
    assert len(response.context["live_products"]) == size


@pytest.mark.parametrize("size", SIZES)
def test_county_page_queries_do_not_grow_with_the_county(
    client, home_page, django_assert_max_num_queries, size
):
    county = CountyFactory()
    products = _county_with_products(county, size)
    for product in products:
        purchase(items=[(product, 1)])
    page = county_page_create(home=home_page, region=county)

    with django_assert_max_num_queries(COUNTY_QUERIES):
        response = client.get(page.url)
    assert response.status_code == 200
    assert len(response.context["cooperatives"]) == size
    assert len(response.context["county_products"]) == min(size, 12)
