"""The listing, search, product and basket pages run a fixed number of SQL queries whatever
the size of the catalogue (and of the basket): each test counts a page's queries with 10
products, grows the catalogue to 200 and asserts the same page runs no more.

Each page is requested once before counting, so that caches every request would find
warm (content types, the site, thumbnails) do not count."""

import itertools

import pytest
from django.conf import settings
from django.urls import reverse
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model

from producers.models import Region
from tests.factories import BenefitLinkFactory, CityFactory, PairingFactory, ProvinceFactory
from tests.marketplace.test_storefront import cooperative_in, county_create
from tests.queries import statements_captured
from tests.store_factories import product_create

Basket = get_model("basket", "Basket")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductRecommendation = get_model("catalogue", "ProductRecommendation")
pytestmark = pytest.mark.django_db

# Listing and product pages must stay small, not only constant.
PAGE_QUERY_LIMIT = 15
PRODUCTS_PER_COOPERATIVE = 5


class Catalogue:
    """A growing demo-like catalogue: two western provinces paired with an eastern city,
    counties of every status, five products per cooperative, two categories, and
    households linked to every cooperative."""

    def __init__(self):
        self.east = CityFactory(code="3301", side=Region.Side.EAST)
        provinces = [ProvinceFactory(code="51"), ProvinceFactory(code="52")]
        for province in provinces:
            PairingFactory(east_region=self.east, west_region=province)
        self.cities = itertools.cycle([CityFactory(parent=p) for p in provinces])
        self.statuses = itertools.cycle([(True, True), (True, False), (False, False)])
        self.categories = [
            create_from_breadcrumbs("粮油米面 > 苦荞"),
            create_from_breadcrumbs("茶叶"),
        ]
        self.products = []
        self.cooperative = None

    def grow_to(self, size: int) -> None:
        while len(self.products) < size:
            if len(self.products) % PRODUCTS_PER_COOPERATIVE == 0:
                self.cooperative = self.new_cooperative()
            product = product_create(
                cooperative=self.cooperative, title=f"大凉山苦荞茶 {len(self.products)}号"
            )
            category = self.categories[len(self.products) % len(self.categories)]
            ProductCategory.objects.create(product=product, category=category)
            self.products.append(product)

    def new_cooperative(self):
        deep_poverty, supervision = next(self.statuses)
        county = county_create(
            city=next(self.cities),
            deep_poverty=deep_poverty,
            supervision=supervision,
            exit_year=2020,
        )
        cooperative = cooperative_in(county=county)
        BenefitLinkFactory.create_batch(2, cooperative=cooperative)
        return cooperative


def queries_for(client, url: str) -> int:
    assert client.get(url).status_code == 200
    with statements_captured() as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def assert_no_more_queries(client, url: str, *, limit: int, django_assert_max_num_queries):
    assert client.get(url).status_code == 200
    with django_assert_max_num_queries(limit):
        assert client.get(url).status_code == 200


LISTINGS = {
    "catalogue": lambda catalogue: reverse("catalogue:index"),
    "filtered catalogue": lambda catalogue: (
        reverse("catalogue:index")
        + f"?province=51&paired_with=3301&category={catalogue.categories[0].get_parent().pk}"
        "&featured=on"
    ),
    "category page": lambda catalogue: catalogue.categories[1].get_absolute_url(),
    "search": lambda catalogue: reverse("search:search") + "?q=苦荞 凉山",
    "filtered search": lambda catalogue: (
        reverse("search:search") + "?q=苦荞茶&paired_with=3301&featured=on"
    ),
    "second page": lambda catalogue: reverse("catalogue:index") + "?page=2",
}


@pytest.mark.parametrize("page", LISTINGS)
def test_listing_pages_run_the_same_queries_for_10_and_200_products(
    client, page, django_assert_max_num_queries
):
    # Given a catalogue of 10 products (a page and one more for the second page)
    catalogue = Catalogue()
    catalogue.grow_to(settings.OSCAR_PRODUCTS_PER_PAGE + 1 if page == "second page" else 10)
    url = LISTINGS[page](catalogue)
    at_10 = queries_for(client, url)

    # When the catalogue grows to 200 products
    catalogue.grow_to(200)

    # Then the page runs no more queries, and few
    assert_no_more_queries(
        client, url, limit=at_10, django_assert_max_num_queries=django_assert_max_num_queries
    )
    assert at_10 <= PAGE_QUERY_LIMIT


def test_product_page_runs_the_same_queries_for_10_and_200_products(
    client, django_assert_max_num_queries
):
    # Given a product with one recommendation, seen after one other product
    catalogue = Catalogue()
    catalogue.grow_to(10)
    product, *others = catalogue.products
    ProductRecommendation.objects.create(primary=product, recommendation=others[0], ranking=1)
    client.get(others[1].get_absolute_url())
    at_10 = queries_for(client, product.get_absolute_url())

    # When the catalogue grows to 200 products, the product gets six recommendations and
    # the buyer has seen many other products
    catalogue.grow_to(200)
    for ranking, recommended in enumerate(catalogue.products[100:105], start=2):
        ProductRecommendation.objects.create(
            primary=product, recommendation=recommended, ranking=ranking
        )
    for seen in catalogue.products[150:170]:
        client.get(seen.get_absolute_url())

    # Then its page runs no more queries, and few
    response = client.get(product.get_absolute_url())
    assert len(response.context["recommended_products"]) == 6
    assert len(response.context["recently_viewed"]) == 6
    assert_no_more_queries(
        client,
        product.get_absolute_url(),
        limit=at_10,
        django_assert_max_num_queries=django_assert_max_num_queries,
    )
    assert at_10 <= PAGE_QUERY_LIMIT


def basket_add(client, products) -> None:
    for product in products:
        response = client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})
        assert response.status_code == 302


def test_basket_page_runs_the_same_queries_for_2_and_12_lines(
    client, django_assert_max_num_queries
):
    # Given 10 products and a basket of 2 lines from different cooperatives
    catalogue = Catalogue()
    catalogue.grow_to(10)
    first_of_each_cooperative = catalogue.products[::PRODUCTS_PER_COOPERATIVE]
    basket_add(client, first_of_each_cooperative)
    url = reverse("basket:summary")
    at_2_lines = queries_for(client, url)

    # When the catalogue grows to 200 products and the basket to 12 lines from 12 cooperatives
    catalogue.grow_to(200)
    first_of_each_cooperative = catalogue.products[::PRODUCTS_PER_COOPERATIVE]
    basket_add(client, first_of_each_cooperative[2:12])
    assert Basket.objects.get().num_lines == 12

    # Then the basket page runs no more queries
    assert_no_more_queries(
        client, url, limit=at_2_lines, django_assert_max_num_queries=django_assert_max_num_queries
    )
