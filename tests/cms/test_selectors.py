"""The public figures, the ranking and the certificates equal the settled purchases: paid
order lines less what was refunded, in the year."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from cms import selectors
from cms.models import PublicParticipation
from producers.income.selectors import households_reached
from tests.factories import (
    CountyFactory,
    MembershipFactory,
    OrganisationFactory,
    PairingFactory,
    UserFactory,
    VillageFactory,
)
from tests.store_factories import certified_cooperative, product_create

from .conftest import purchase, refund

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


def _product(price: str, county=None):
    cooperative = (
        certified_cooperative(village=VillageFactory(parent__parent=county))
        if county
        else certified_cooperative()
    )
    return product_create(cooperative=cooperative, price=Decimal(price))


def test_settled_amount_deducts_refunded_units_and_ignores_unpaid_orders():
    # Given a paid order of 3 × ¥38.00 with one unit refunded, and an unpaid order
    tea = _product("38.00")
    order = purchase(items=[(tea, 3)])
    refund(order=order, lines=[(order.lines.get(), 1)])
    purchase(items=[(tea, 5)], paid=False)

    # When the year's figures are read
    figures = selectors.headline_figures(year=YEAR)

    # Then only the two units kept count
    assert figures.amount == Decimal("76.00")


def test_purchases_of_another_year_are_not_this_years_figures():
    tea = _product("38.00")
    purchase(items=[(tea, 1)], when=timezone.now() - datetime.timedelta(days=800))
    purchase(items=[(tea, 2)])

    assert selectors.headline_figures(year=YEAR).amount == Decimal("76.00")


def test_organisation_ranking_orders_organisations_by_settled_purchases():
    # Given two organisations' purchases, one partly refunded, and a personal purchase
    tea, honey = _product("38.00"), _product("120.00")
    canteen, union = (
        OrganisationFactory(name="西湖区机关食堂"),
        OrganisationFactory(name="福州总工会"),
    )
    purchase(items=[(tea, 10)], organisation=canteen)
    big = purchase(items=[(honey, 5)], organisation=union)
    refund(order=big, lines=[(big.lines.get(), 3)])
    purchase(items=[(honey, 9)], user=UserFactory())

    # When the ranking is read
    ranking = selectors.organisation_ranking(year=YEAR)

    # Then each organisation's amount is its settled purchases, largest first
    assert [(row.rank, row.name, row.amount) for row in ranking] == [
        (1, "西湖区机关食堂", Decimal("380.00")),
        (2, "福州总工会", Decimal("240.00")),
    ]


def test_individuals_are_ranked_only_with_their_consent_and_by_nickname():
    tea = _product("38.00")
    agreed = UserFactory(nickname="爱心小林")
    PublicParticipation.objects.create(user=agreed, show_in_ranking=True)
    withdrawn = UserFactory(nickname="不公开")
    PublicParticipation.objects.create(user=withdrawn, show_in_ranking=False)
    silent = UserFactory(nickname="未授权")
    for user in (agreed, withdrawn, silent):
        purchase(items=[(tea, 2)], user=user)

    ranking = selectors.individual_ranking(year=YEAR)

    assert [(row.name, row.amount) for row in ranking] == [("爱心小林", Decimal("76.00"))]


def test_certificate_totals_the_buyers_own_settled_purchases_and_their_counties(settle):
    # Given a consumer's purchases from two counties, one line partly refunded, and
    # someone else's purchase
    zhaojue, butuo = CountyFactory(name="昭觉县"), CountyFactory(name="布拖县")
    potatoes, tea = _product("39.90", county=zhaojue), _product("68.00", county=butuo)
    buyer = UserFactory()
    settle(items=[(potatoes, 2), (tea, 1)], user=buyer)
    order = settle(items=[(tea, 3)], user=buyer)
    refund(order=order, lines=[(order.lines.get(), 2)])
    settle(items=[(tea, 7)], user=UserFactory())

    # When the buyer's certificate is made
    certificate = selectors.buyer_certificate(user=buyer, year=YEAR)

    # Then it holds exactly the buyer's settled amount, counties and households reached
    assert certificate.amount == Decimal("215.80")  # 2 × 39.90 + 68.00 + 1 × 68.00
    assert {county.name for county in certificate.counties} == {"昭觉县", "布拖县"}
    buyer_lines = selectors.settled_lines(year=YEAR).filter(order__user=buyer)
    assert certificate.households == households_reached(order_lines=buyer_lines)


def test_organisation_certificate_totals_the_organisations_purchases():
    tea = _product("38.00")
    member = UserFactory()
    canteen = MembershipFactory(user=member, state="approved").organisation
    purchase(items=[(tea, 4)], user=member, organisation=canteen)
    purchase(items=[(tea, 1)], user=member)

    certificate = selectors.buyer_certificate(user=member, year=YEAR, organisation=canteen)

    assert certificate.buyer_name == canteen.name
    assert certificate.amount == Decimal("152.00")


def test_county_figures_count_only_that_countys_settled_purchases():
    zhaojue = CountyFactory()
    potatoes, elsewhere = _product("39.90", county=zhaojue), _product("50.00")
    purchase(items=[(potatoes, 3), (elsewhere, 1)])

    figures = selectors.county_figures(county=zhaojue, year=YEAR)

    assert figures.amount == Decimal("119.70")


def test_pairing_purchases_split_by_year_and_by_the_eastern_buyers_part():
    # Given Hangzhou paired with a western prefecture, a Hangzhou canteen and an
    # unaffiliated consumer buying from one of its counties
    pairing = PairingFactory(west_region=CountyFactory().parent)
    county = CountyFactory(parent=pairing.west_region)
    rice = _product("25.00", county=county)
    canteen = OrganisationFactory(home_region=pairing.east_region)
    purchase(items=[(rice, 4)], organisation=canteen)
    purchase(items=[(rice, 2)], user=UserFactory())

    rows = selectors.pairing_purchases(years=[YEAR - 1, YEAR])

    row = next(r for r in rows if r.pairing == pairing)
    assert row.by_year == {YEAR: Decimal("150.00")}
    assert row.from_east_by_year == {YEAR: Decimal("100.00")}
