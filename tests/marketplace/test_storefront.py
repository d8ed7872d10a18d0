"""The store's listing and product pages: origin filters, paired-with, featured order, and
the facts a product page shows about where a product comes from and whom it helps."""

import datetime

import pytest
from django.urls import reverse
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model

from evaluation.models import Pairing
from producers.models import BenefitKind, Cooperative, Region
from tests.factories import (
    BenefitLinkFactory,
    CityFactory,
    CountyFactory,
    PairingFactory,
    ProvinceFactory,
    TownshipFactory,
    VillageFactory,
)
from tests.store_factories import certified_cooperative, product_create

ProductCategory = get_model("catalogue", "ProductCategory")
ProductCertificate = get_model("catalogue", "ProductCertificate")
pytestmark = pytest.mark.django_db


# Helpers shared by the storefront, search and query-count tests.


def county_create(
    *,
    name: str = "昭觉县",
    city: Region | None = None,
    deep_poverty: bool = False,
    supervision: bool = False,
    exit_year: int | None = None,
    **kwargs,
) -> Region:
    """A western county (under a new city and province unless `city` is given)."""
    return CountyFactory(
        name=name,
        parent=city or CityFactory(side=Region.Side.WEST),
        is_poor_county=True,
        is_deep_poverty=deep_poverty,
        is_supervision_target=supervision,
        exit_year=exit_year,
        **kwargs,
    )


def cooperative_in(*, county: Region, village_name: str = "火普村", **kwargs) -> Cooperative:
    """A certified cooperative in a new village of `county`."""
    village = VillageFactory(name=village_name, parent=TownshipFactory(parent=county))
    return certified_cooperative(village=village, **kwargs)


def county_product(*, county: Region, title: str = "凉山苦荞茶", **kwargs):
    """A product for sale, made by a new certified cooperative in `county`."""
    return product_create(cooperative=cooperative_in(county=county), title=title, **kwargs)


def listed(response) -> list:
    return list(response.context["products"])


def browse(client, **params):
    return client.get(reverse("catalogue:index"), params)


# Filters


def test_listing_filters_by_province(client):
    sichuan = ProvinceFactory(name="四川省", code="51")
    guizhou = ProvinceFactory(name="贵州省", code="52")
    zhaojue = county_product(county=county_create(city=CityFactory(parent=sichuan)))
    county_product(county=county_create(name="威宁县", city=CityFactory(parent=guizhou)))

    response = browse(client, province="51")

    assert listed(response) == [zhaojue]


def test_listing_filters_by_county(client):
    liangshan = CityFactory(name="凉山州")
    zhaojue = county_create(name="昭觉县", code="513431", city=liangshan)
    butuo = county_create(name="布拖县", code="513429", city=liangshan)
    from_zhaojue = county_product(county=zhaojue)
    county_product(county=butuo)

    response = browse(client, county="513431")

    assert listed(response) == [from_zhaojue]


def test_listing_filters_by_category_and_its_subcategories(client):
    county = county_create()
    buckwheat = create_from_breadcrumbs("粮油米面 > 苦荞")
    grain = buckwheat.get_parent()
    in_subcategory = county_product(county=county, title="苦荞米")
    ProductCategory.objects.create(product=in_subcategory, category=buckwheat)
    in_other_category = county_product(county=county, title="土蜂蜜")
    ProductCategory.objects.create(
        product=in_other_category, category=create_from_breadcrumbs("蜂蜜特产")
    )

    response = browse(client, category=grain.pk)

    assert listed(response) == [in_subcategory]


def test_category_page_combines_with_the_origin_filters(client):
    sichuan = ProvinceFactory(code="51")
    tea = create_from_breadcrumbs("茶叶冲饮")
    sichuan_tea = county_product(county=county_create(city=CityFactory(parent=sichuan)))
    other_tea = county_product(county=county_create(name="雷山县"))
    for product in (sichuan_tea, other_tea):
        ProductCategory.objects.create(product=product, category=tea)

    response = client.get(tea.get_absolute_url(), {"province": "51"})

    assert listed(response) == [sichuan_tea]


def test_paired_with_a_city_shows_products_of_its_paired_prefecture(client):
    # Given Hangzhou paired with the prefecture Qiandongnan
    hangzhou = CityFactory(name="杭州市", code="3301", side=Region.Side.EAST)
    qiandongnan = CityFactory(name="黔东南州")
    PairingFactory(east_region=hangzhou, west_region=qiandongnan)
    leishan_tea = county_product(county=county_create(name="雷山县", city=qiandongnan))
    county_product(county=county_create(name="昭觉县"))

    # When a buyer chooses "paired with Hangzhou"
    response = browse(client, paired_with="3301")

    # Then only products of counties under Qiandongnan are listed
    assert listed(response) == [leishan_tea]


def test_paired_with_a_province_shows_products_of_its_paired_province(client):
    # Given Zhejiang paired with the province Sichuan
    zhejiang = ProvinceFactory(name="浙江省", code="33", side=Region.Side.EAST)
    sichuan = ProvinceFactory(name="四川省")
    PairingFactory(east_region=zhejiang, west_region=sichuan)
    sichuan_product = county_product(county=county_create(city=CityFactory(parent=sichuan)))
    county_product(county=county_create(name="西吉县"))

    # When a buyer chooses "paired with Zhejiang"
    response = browse(client, paired_with="33")

    # Then products of every county in Sichuan are listed, and no others
    assert listed(response) == [sichuan_product]


def test_paired_with_a_county_pairing_shows_that_county_only(client):
    fuzhou = CityFactory(code="3501", side=Region.Side.EAST)
    dingxi = CityFactory(name="定西市")
    weiyuan = county_create(name="渭源县", city=dingxi)
    PairingFactory(east_region=fuzhou, west_region=weiyuan)
    from_weiyuan = county_product(county=weiyuan)
    county_product(county=county_create(name="通渭县", city=dingxi))

    response = browse(client, paired_with="3501")

    assert listed(response) == [from_weiyuan]


def test_paired_with_a_province_includes_the_pairings_of_its_cities(client):
    # Given Zhejiang's city Hangzhou paired with Qiandongnan (and Zhejiang itself with nothing)
    zhejiang = ProvinceFactory(code="33", side=Region.Side.EAST)
    hangzhou = CityFactory(parent=zhejiang, side=Region.Side.EAST)
    qiandongnan = CityFactory()
    PairingFactory(east_region=hangzhou, west_region=qiandongnan)
    PairingFactory(east_region=zhejiang, west_region=CityFactory())
    leishan_tea = county_product(county=county_create(city=qiandongnan))
    county_product(county=county_create(name="西吉县"))

    # When a buyer chooses Zhejiang
    response = browse(client, paired_with="33")

    # Then Hangzhou's paired products are Zhejiang's too
    assert listed(response) == [leishan_tea]


def test_listing_lists_newest_first_by_default(client):
    older = county_product(county=county_create(supervision=True))
    newer = county_product(county=county_create())

    assert listed(browse(client)) == [newer, older]


def test_featured_first_lists_supervision_targets_then_deep_poverty_then_the_rest(client):
    # Given products created in an order unrelated to their counties' status
    supervision = county_product(county=county_create(deep_poverty=True, supervision=True))
    ordinary = county_product(county=county_create())
    deep_poverty = county_product(county=county_create(deep_poverty=True))

    # When the buyer asks for supervision-target counties first
    response = browse(client, featured="on")

    # Then supervision targets come first, then deep-poverty counties, then the rest
    assert listed(response) == [supervision, deep_poverty, ordinary]


def test_province_choices_list_only_provinces_with_products_for_sale(client):
    with_products = ProvinceFactory(name="四川省", code="51")
    ProvinceFactory(name="青海省", code="63")
    only_pending = ProvinceFactory(name="西藏自治区", code="54")
    county_product(county=county_create(city=CityFactory(parent=with_products)))
    county_product(
        county=county_create(city=CityFactory(parent=only_pending)),
        certificate_state=ProductCertificate.State.PENDING,
    )

    choices = dict(browse(client).context["filter_form"].fields["province"].choices)

    assert list(choices) == ["", "51"]


def test_county_choices_list_only_counties_with_products_for_sale(client):
    liangshan = CityFactory()
    county_product(county=county_create(name="昭觉县", code="513431", city=liangshan))
    county_create(name="布拖县", code="513429", city=liangshan)

    choices = browse(client).context["filter_form"].fields["county"].choices

    assert [code for _, group in choices[1:] for code, _ in group] == ["513431"]


def test_county_choices_narrow_to_the_chosen_province(client):
    sichuan = ProvinceFactory(code="51")
    county_product(county=county_create(code="513431", city=CityFactory(parent=sichuan)))
    county_product(county=county_create(code="520526"))

    choices = browse(client, province="51").context["filter_form"].fields["county"].choices

    assert [code for _, group in choices[1:] for code, _ in group] == ["513431"]


def test_paired_with_choices_list_eastern_regions_that_have_pairings(client):
    hangzhou = CityFactory(name="杭州市", code="3301", side=Region.Side.EAST)
    CityFactory(name="南京市", code="3201", side=Region.Side.EAST)
    PairingFactory(east_region=hangzhou)
    PairingFactory(kind=Pairing.Kind.DESIGNATED, east_region=None, assisting_unit="某中央单位")

    choices = dict(browse(client).context["filter_form"].fields["paired_with"].choices)

    assert list(choices) == ["", "3301"]
    assert choices["3301"].endswith("杭州市")


@pytest.mark.parametrize(
    "params",
    [
        {"province": "nowhere"},
        {"county": "'; DROP TABLE producers_region; --"},
        {"paired_with": "9999"},
        {"category": "abc"},
        {"category": "999999"},
        {"featured": "maybe", "page": "1"},
        {"province": ["51", "52"], "county": "x" * 500},
    ],
)
def test_invalid_filter_values_are_ignored(client, params):
    product = county_product(county=county_create())

    response = browse(client, **params)

    assert response.status_code == 200
    assert listed(response) == [product]


def test_a_county_outside_the_chosen_province_is_ignored(client):
    sichuan = ProvinceFactory(code="51")
    in_sichuan = county_product(county=county_create(city=CityFactory(parent=sichuan)))
    county_product(county=county_create(code="520526"))

    response = browse(client, province="51", county="520526")

    assert listed(response) == [in_sichuan]


def test_pagination_keeps_the_filters(client, settings):
    sichuan = ProvinceFactory(code="51")
    county = county_create(city=CityFactory(parent=sichuan))
    cooperative = cooperative_in(county=county)
    per_page = settings.OSCAR_PRODUCTS_PER_PAGE
    for number in range(per_page + 1):
        product_create(cooperative=cooperative, title=f"苦荞茶{number}")
    county_product(county=county_create(code="520526"))

    first = browse(client, province="51", featured="on")
    second = browse(client, province="51", featured="on", page=2)

    assert "province=51&amp;featured=on&amp;page=2" in first.content.decode()
    assert len(listed(second)) == 1


def test_an_invalid_page_returns_to_the_first_page_with_the_filters(client):
    county_product(county=county_create(code="513431"))

    response = browse(client, county="513431", page=99)

    assert response.status_code == 302
    assert response["Location"] == reverse("catalogue:index") + "?county=513431"


def test_listing_card_shows_the_county_and_its_badges(client):
    county_product(
        county=county_create(name="布拖县", deep_poverty=True, supervision=True),
        title="黑苦荞茶",
    )

    html = browse(client).content.decode()

    assert "布拖县" in html
    assert "badge-supervision" in html
    assert "badge-deep-poverty" in html


def test_filter_form_is_in_the_left_column_of_the_browse_page(client):
    county_product(county=county_create())

    html = browse(client).content.decode()

    sidebar = html[html.index('<aside class="sidebar') : html.index("</aside>")]
    assert 'id="store-filter-form"' in sidebar
    assert 'name="paired_with"' in sidebar
    assert "挂牌督战县优先" in sidebar


# The product page


@pytest.fixture
def zhaojue_product(db):
    """A product of a farmers' cooperative in Huopu village, Zhaojue county, Liangshan."""
    sichuan = ProvinceFactory(name="四川省", name_en="Sichuan")
    liangshan = CityFactory(name="凉山彝族自治州", name_en="Liangshan", parent=sichuan)
    zhaojue = county_create(
        name="昭觉县",
        name_en="Zhaojue County",
        city=liangshan,
        deep_poverty=True,
        supervision=True,
        exit_year=2020,
    )
    cooperative = cooperative_in(
        county=zhaojue, village_name="火普村", legal_name="昭觉县火普村种养殖农民专业合作社"
    )
    return product_create(cooperative=cooperative, title="昭觉苦荞米")


def product_page(client, product, *, prefix: str = "") -> str:
    response = client.get(prefix + product.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_product_page_shows_the_origin_from_province_to_village(client, zhaojue_product):
    html = product_page(client, zhaojue_product)

    assert "四川省 · 凉山彝族自治州 · 昭觉县 · 火普村" in html


def test_product_page_shows_the_cooperative_and_its_kind(client, zhaojue_product):
    html = product_page(client, zhaojue_product)

    assert "昭觉县火普村种养殖农民专业合作社" in html
    assert "农民专业合作社）" in html


def test_product_page_shows_the_certificate_number_and_validity(client, zhaojue_product):
    certificate = zhaojue_product.certificates.get()

    html = product_page(client, zhaojue_product)

    assert certificate.number in html
    assert f"有效期 {certificate.valid_from:%Y-%m-%d} 至 {certificate.valid_to:%Y-%m-%d}" in html


def test_product_page_shows_the_households_the_cooperative_links(client, zhaojue_product):
    # Given three households linked to the cooperative, one of them in two ways,
    # and one household whose only link has ended
    cooperative = zhaojue_product.cooperative
    links = BenefitLinkFactory.create_batch(3, cooperative=cooperative)
    BenefitLinkFactory(
        cooperative=cooperative,
        household=links[0].household,
        kind=BenefitKind.DIVIDEND,
        equity_shares="2000.00",
    )
    BenefitLinkFactory(cooperative=cooperative, ended_on=datetime.date(2024, 6, 30))

    # When the product page is shown
    response = client.get(zhaojue_product.get_absolute_url())

    # Then it counts each household linked today once
    assert response.context["product"].households_linked == 3
    assert 'id="product-origin-households">3 户' in response.content.decode()


def test_product_page_shows_deep_poverty_and_supervision_badges(client, zhaojue_product):
    html = product_page(client, zhaojue_product)

    assert '<span class="badge badge-supervision">挂牌督战</span>' in html
    assert '<span class="badge badge-deep-poverty">深度贫困县</span>' in html


def test_product_page_shows_no_badge_for_a_county_with_neither_status(client):
    product = county_product(county=county_create())

    html = product_page(client, product)

    assert "badge-supervision" not in html
    assert "badge-deep-poverty" not in html


def test_product_page_shows_the_year_the_county_exited_poverty(client, zhaojue_product):
    html = product_page(client, zhaojue_product)

    assert "2020年脱贫摘帽" in html


def test_product_page_names_regions_in_english_in_english(client, zhaojue_product):
    html = product_page(client, zhaojue_product, prefix="/en")

    assert "Sichuan · Liangshan · Zhaojue County" in html


def test_recently_viewed_products_are_shown_only_while_for_sale(client):
    county = county_create()
    viewed, lapsed, current = (county_product(county=county) for _ in range(3))
    product_page(client, viewed)
    product_page(client, lapsed)
    lapsed.certificates.update(state=ProductCertificate.State.SUSPENDED)

    response = client.get(current.get_absolute_url())

    assert response.context["recently_viewed"] == [viewed]


def test_clearing_the_origin_filters_keeps_the_category(client):
    county_product(county=county_create(code="513431"))
    category = create_from_breadcrumbs("茶叶冲饮")

    response = browse(client, category=category.pk, county="513431", featured="on")

    assert response.context["clear_url"] == f"{reverse('catalogue:index')}?category={category.pk}"


def test_an_old_category_address_redirects_with_the_filters(client):
    category = create_from_breadcrumbs("茶叶冲饮")
    old_path = reverse("catalogue:category", kwargs={"category_slug": "old", "pk": category.pk})

    response = client.get(old_path, {"province": "51"})

    assert response.status_code == 301
    assert response["Location"] == f"{category.get_absolute_url()}?province=51"
