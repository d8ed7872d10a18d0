"""Product search at /shop/search/: a database search that works for Chinese text, over
products for sale only, with the listing's filters."""

import pytest
from django.urls import resolve, reverse
from oscar.core.loading import get_model

from marketplace.search.views import ProductSearchView
from producers.models import Cooperative
from tests.factories import CityFactory, CooperativeFactory, ProvinceFactory
from tests.marketplace.test_storefront import (
    cooperative_in,
    county_create,
    county_product,
    listed,
)
from tests.store_factories import product_create

ProductCertificate = get_model("catalogue", "ProductCertificate")
pytestmark = pytest.mark.django_db


def search(client, query: str, **params):
    return client.get(reverse("search:search"), {"q": query, **params})


def test_search_finds_a_chinese_term_inside_a_title(client):
    county = county_create()
    tea = county_product(county=county, title="大凉山黑苦荞茶 500克")
    county_product(county=county, title="乌蒙山土蜂蜜 500克")

    response = search(client, "苦荞")

    assert response.status_code == 200
    assert listed(response) == [tea]


def test_search_with_two_terms_finds_products_matching_both(client):
    county = county_create()
    buckwheat_tea = county_product(county=county, title="黑苦荞茶")
    county_product(county=county, title="苦荞挂面")
    county_product(county=county, title="老姆登绿茶")

    response = search(client, "苦荞 茶")

    assert listed(response) == [buckwheat_tea]


def test_search_terms_may_be_separated_by_a_full_width_space(client):
    county = county_create()
    buckwheat_tea = county_product(county=county, title="黑苦荞茶")
    county_product(county=county, title="苦荞挂面")

    response = search(client, "苦荞\u3000茶")

    assert listed(response) == [buckwheat_tea]


def test_search_matches_the_cooperative_and_place_names(client):
    # Given a product whose title names neither its cooperative nor its county
    county = county_create(name="布拖县")
    cooperative = cooperative_in(county=county, legal_name="布拖县乌科村苦荞种植合作社")
    product = product_create(cooperative=cooperative, title="荞麦粉 2.5千克")
    county_product(county=county_create(name="镇雄县"), title="荞麦粉 1千克")

    # When buyers search for the county, or for the cooperative together with the product
    by_county = search(client, "布拖")
    by_cooperative = search(client, "乌科村 荞麦粉")

    # Then they find it
    assert listed(by_county) == [product]
    assert listed(by_cooperative) == [product]


def test_search_finds_a_province_by_its_english_name(client):
    sichuan = ProvinceFactory(name="四川省", name_en="Sichuan")
    product = county_product(county=county_create(city=CityFactory(parent=sichuan)))
    county_product(county=county_create())

    assert listed(search(client, "sichuan")) == [product]


@pytest.mark.parametrize(
    "certificate_state",
    [
        None,
        ProductCertificate.State.PENDING,
        ProductCertificate.State.SUSPENDED,
        ProductCertificate.State.REVOKED,
        ProductCertificate.State.EXPIRED,
        ProductCertificate.State.REJECTED,
    ],
)
def test_search_never_shows_a_product_without_a_certificate_in_force(client, certificate_state):
    product_create(title="苦荞茶", certificate_state=certificate_state)

    assert listed(search(client, "苦荞")) == []


def test_search_never_shows_a_product_whose_certificate_has_run_out(client):
    product = product_create(title="苦荞茶")
    certificate = product.certificates.get()
    certificate.valid_to = certificate.valid_from
    certificate.save()

    assert listed(search(client, "苦荞")) == []


def test_search_never_shows_products_of_an_uncertified_cooperative(client):
    product_create(
        title="苦荞茶", cooperative=CooperativeFactory(state=Cooperative.State.SUSPENDED)
    )

    assert listed(search(client, "苦荞")) == []


def test_search_applies_the_listing_filters(client):
    sichuan = ProvinceFactory(code="51")
    in_sichuan = county_product(
        county=county_create(city=CityFactory(parent=sichuan)), title="苦荞茶"
    )
    county_product(county=county_create(), title="苦荞茶")

    response = search(client, "苦荞", province="51")

    assert listed(response) == [in_sichuan]


def test_search_without_terms_lists_every_product_for_sale(client):
    products = [county_product(county=county_create(), title=t) for t in ("蜂蜜", "核桃")]

    assert listed(search(client, "")) == products[::-1]


def test_search_pagination_keeps_the_terms(client, settings):
    cooperative = cooperative_in(county=county_create())
    for number in range(settings.OSCAR_PRODUCTS_PER_PAGE + 1):
        product_create(cooperative=cooperative, title=f"苦荞茶{number}")

    html = search(client, "苦荞").content.decode()

    assert "q=%E8%8B%A6%E8%8D%9E&amp;page=2" in html


@pytest.mark.parametrize(
    "params",
    [
        {"county": "nowhere", "page": "1"},
        {"paired_with": "<script>"},
        {"category": "-1"},
    ],
)
def test_search_ignores_invalid_filter_values(client, params):
    product = county_product(county=county_create(), title="苦荞茶")

    response = search(client, "苦荞", **params)

    assert response.status_code == 200
    assert listed(response) == [product]


def test_a_very_long_search_does_not_fail(client):
    county_product(county=county_create(), title="苦荞茶")

    response = search(client, " ".join(["苦荞"] * 300))

    assert response.status_code == 200


def test_search_keeps_its_url_name_and_the_header_form_leads_to_it(client):
    county_product(county=county_create())

    html = client.get(reverse("catalogue:index")).content.decode()

    assert resolve(reverse("search:search")).func.view_class is ProductSearchView
    assert f'action="{reverse("search:search")}"' in html


def test_search_page_shows_the_terms_in_its_heading(client):
    county_product(county=county_create(), title="苦荞茶")

    html = search(client, "苦荞").content.decode()

    assert "搜索“苦荞”" in html
