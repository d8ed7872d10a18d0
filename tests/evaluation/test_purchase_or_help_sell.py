"""The attribution rule (docs/decisions/0005-purchase-or-help-sell.md, invariant 8): a
sale counts for a pairing as its purchase (the eastern side's organisation or a recorded
member bought) or as help-sell (the eastern side's channel sold it to anyone else), never
both; a shipping address alone makes no purchase. Every order here is placed, paid and
refunded through the store's payment events."""

from decimal import Decimal

import pytest
from django.db.models import F, Sum

from evaluation.models import Indicator, PurchaseFact
from evaluation.services.scoring import scorecards_refresh
from marketplace.organisations.models import Membership
from producers.models import Region
from tests.factories import (
    CityFactory,
    MembershipFactory,
    OrganisationFactory,
    PairingFactory,
    ProvinceFactory,
    UserFactory,
)
from tests.store_factories import sales_channel_create

from .factories import (
    AgreementFactory,
    IndicatorFactory,
    at,
    bought,
    east_west_world,
    order_place,
    order_refund,
    order_settle,
    product_from,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = east_west_world()
    world["canteen"] = OrganisationFactory(home_region=world["hangzhou"], name="杭州市机关食堂")
    world["zone"] = sales_channel_create(
        code="hangzhou-zone", name="杭州消费帮扶专区", region=world["hangzhou"]
    )
    world["product"] = product_from(world["zhaojue"], price=Decimal("40.00"))
    return world


def _member(organisation, **kwargs):
    return MembershipFactory(
        organisation=organisation, user=UserFactory(), state=Membership.State.APPROVED, **kwargs
    ).user


def _no_fact_counted_twice():
    assert not PurchaseFact.objects.filter(
        bought_pairing__isnull=False, helped_pairing_id=F("bought_pairing_id")
    ).exists()


def test_a_consumer_recorded_as_member_of_an_eastern_organisation_counts_as_its_purchase(world):
    # Given a Hangzhou canteen's member, buying for herself and shipping to Shanghai
    member = _member(world["canteen"])

    bought(world["product"], 2, user=member, province="上海市", city="上海市")

    # Then the sale is Zhejiang → Sichuan's purchase, attributed through the canteen
    fact = PurchaseFact.objects.get()
    assert fact.buyer_kind == PurchaseFact.BuyerKind.CONSUMER
    assert fact.organisation == world["canteen"]
    assert fact.buyer_region == world["hangzhou"]
    assert fact.bought_pairing == world["pairing"] and fact.helped_pairing is None
    assert fact.attribution_note  # says why a consumer's purchase counts


def test_a_membership_approved_after_the_sale_does_not_make_it_a_purchase(world):
    member = _member(world["canteen"], decided_at=at(2025, 9, 1))

    bought(world["product"], user=member, year=2025, month=6)

    assert PurchaseFact.objects.get().bought_pairing is None


def test_a_consumer_with_only_an_eastern_address_makes_no_purchase(world):
    # Given a consumer with no recorded tie, shipping to Hangzhou
    stranger = UserFactory()

    bought(world["product"], 2, user=stranger, province="浙江省", city="杭州市")

    # Then the address is kept as description, and no pairing counts the sale
    fact = PurchaseFact.objects.get()
    assert fact.buyer_region == world["hangzhou"]
    assert fact.organisation is None
    assert fact.bought_pairing is None and fact.helped_pairing is None
    assert fact.counts  # still a certified sale: it counts for the county's own totals


def test_an_organisation_buying_through_its_own_regions_zone_counts_as_purchase_only(world):
    bought(world["product"], 3, organisation=world["canteen"], channel=world["zone"])

    fact = PurchaseFact.objects.get()
    assert fact.bought_pairing == world["pairing"]
    assert fact.helped_pairing is None
    _no_fact_counted_twice()


def test_a_stranger_buying_in_a_zone_is_help_sell(world):
    bought(
        world["product"],
        user=UserFactory(),
        channel=world["zone"],
        province="浙江省",
        city="杭州市",
    )

    fact = PurchaseFact.objects.get()
    assert fact.bought_pairing is None
    assert fact.helped_pairing == world["pairing"]


def test_another_regions_organisation_in_the_zone_is_its_own_purchase_and_the_zones_help(world):
    # Given Shanghai, paired with Sichuan too, whose union buys in Hangzhou's zone
    shanghai = ProvinceFactory(name="上海市", side=Region.Side.EAST, code="31")
    other = PairingFactory(east_region=shanghai, west_region=world["sichuan"], end_year=None)
    union = OrganisationFactory(
        home_region=CityFactory(parent=shanghai, side=Region.Side.EAST, code="3101")
    )

    bought(world["product"], organisation=union, channel=world["zone"])

    fact = PurchaseFact.objects.get()
    assert fact.bought_pairing == other
    assert fact.helped_pairing == world["pairing"]


def test_the_pairings_figures_add_each_yuan_once_and_refunds_follow_the_same_rule(world):
    # Given the year's two money indicators and all four kinds of buyer
    AgreementFactory(pairing=world["pairing"], year=2025)
    IndicatorFactory(year=2025, code="bought")
    IndicatorFactory(
        year=2025,
        code="helped",
        name="帮助销售额",
        measure=Indicator.Measure.AMOUNT_HELPED,
        target_source=Indicator.TargetSource.AGREEMENT_HELPED,
    )
    member = _member(world["canteen"])
    bought(world["product"], 1, user=member)  # purchase 40
    bought(world["product"], 1, user=UserFactory())  # nothing
    in_zone = order_place(
        products=[(world["product"], 2)], organisation=world["canteen"], channel=world["zone"]
    )
    order_settle(order=in_zone, when=at(2025, 6, 1))  # purchase 80
    bought(world["product"], 5, user=UserFactory(), channel=world["zone"])  # help-sell 200
    order_refund(order=in_zone, when=at(2025, 7, 1), lines=[(in_zone.lines.get(), 1)])  # −40

    [card] = scorecards_refresh(year=2025)

    # Then 采购额 and 帮助销售额 add up to what the pairing's facts add up to, once each
    values = {item.indicator.code: item.value for item in card.items.all()}
    assert values == {"bought": Decimal("80.00"), "helped": Decimal("200.00")}
    counted = PurchaseFact.objects.filter(counts=True)
    ours = counted.filter(bought_pairing=world["pairing"]) | counted.filter(
        helped_pairing=world["pairing"]
    )
    assert ours.aggregate(total=Sum("amount"))["total"] == Decimal("280.00")
    _no_fact_counted_twice()
