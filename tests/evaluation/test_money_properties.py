"""Money is money (invariant 8), for any mix of sales and refunds: every money figure is
the plain sum of the facts its drill-down lists, the weighted value beside it the sum of
their weighted amounts, and a pairing's purchase and help-sell together count each of
its facts once. Orders are placed, settled and refunded through the store's events. In a
locked year too (invariant 7): refunds after the lock become facts of the next open year,
so the locked figures stay the sums of their drill-downs, and so do the next year's."""

import datetime
import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluation.models import Indicator, PurchaseFact, Scorecard, ScorecardItem
from evaluation.selectors import scorecard_item_facts
from evaluation.services.locking import year_lock
from evaluation.services.scoring import MONEY, scorecards_refresh
from marketplace.payment.events import REFUND
from marketplace.users.roles import EVALUATOR
from tests.factories import CountyFactory, OrganisationFactory, UserFactory
from tests.store_factories import sales_channel_create

from .factories import (
    AgreementFactory,
    IndicatorFactory,
    at,
    east_west_world,
    order_place,
    order_refund,
    order_settle,
    product_from,
    region_member,
)

pytestmark = pytest.mark.django_db

BUYERS = ("organisation", "member", "stranger")
sale = st.tuples(
    st.integers(0, 1),  # product: from the supervision-target county, or an ordinary one
    st.integers(1, 4),  # quantity
    st.sampled_from(BUYERS),
    st.booleans(),  # through the campaign zone
    st.integers(0, 4),  # units refunded later (at most the quantity)
    st.integers(1, 12),  # month
)


@pytest.fixture
def world():
    world = east_west_world()
    ordinary = CountyFactory(parent=world["liangshan"], code="513401")
    world["products"] = [
        product_from(world["zhaojue"], price=Decimal("33.33")),
        product_from(ordinary, title="会理石榴", price=Decimal("12.50")),
    ]
    world["canteen"] = OrganisationFactory(home_region=world["hangzhou"])
    world["zone"] = sales_channel_create(
        code="hangzhou-zone", name="杭州消费帮扶专区", region=world["hangzhou"]
    )
    AgreementFactory(pairing=world["pairing"], year=2025)
    world["indicators"] = [
        IndicatorFactory(code="bought", priority_extra_weight=Decimal("0.20")),
        IndicatorFactory(
            code="helped",
            name="帮助销售额",
            measure=Indicator.Measure.AMOUNT_HELPED,
            target_source=Indicator.TargetSource.AGREEMENT_HELPED,
            priority_extra_weight=Decimal("0.20"),
        ),
        IndicatorFactory(code="deep", filter=Indicator.Filter.DEEP_POVERTY),
    ]
    return world


def _place(world, product_index, quantity, buyer, in_zone, refunded, month, year=2025):
    buyers = {
        "organisation": {"organisation": world["canteen"]},
        "member": {"user": region_member(province="浙江省", city="杭州市")},
        "stranger": {"user": UserFactory()},
    }
    order = order_place(
        products=[(world["products"][product_index], quantity)],
        channel=world["zone"] if in_zone else None,
        **buyers[buyer],
    )
    order_settle(order=order, when=at(year, month, 1))
    if min(refunded, quantity):
        line = order.lines.get()
        order_refund(order=order, when=at(year, month, 20), lines=[(line, min(refunded, quantity))])
    return order


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(sales=st.lists(sale, min_size=1, max_size=4))
def test_every_money_figure_is_the_plain_sum_of_its_drill_down(world, sales):
    # Given any sales and refunds (the database keeps those of earlier examples too)
    for row in sales:
        _place(world, *row)

    # Then, as settled one by one and after a full refresh alike
    for refresh in (False, True):
        if refresh:
            scorecards_refresh(year=2025)
        card = Scorecard.objects.get(year=2025, pairing=world["pairing"])
        for item in card.items.select_related("indicator", "scorecard"):
            facts = list(scorecard_item_facts(item=item))
            assert item.value == sum((f.amount for f in facts), Decimal("0"))
            assert item.weighted_value == sum((f.weighted for f in facts), Decimal("0"))
            assert item.value >= 0 or any(f.kind == PurchaseFact.Kind.REFUND for f in facts)
        # and the pairing's purchase and help-sell count each of its facts once
        values = {i.indicator.code: i.value for i in card.items.select_related("indicator")}
        ours = PurchaseFact.objects.filter(counts=True, year=2025)
        bought = ours.filter(bought_pairing=world["pairing"])
        helped = ours.filter(helped_pairing=world["pairing"])
        assert not (bought & helped).exists()
        assert values["bought"] + values["helped"] == sum(
            (f.amount for f in (bought | helped)), Decimal("0")
        )


# --- A locked year -----------------------------------------------------------------------

_years = itertools.count(2030, 2)  # each example its own pair of years (the database keeps
# the earlier examples' facts, and a locked year stays locked)


@pytest.fixture
def lasting(world):
    """The world with products certified for decades: sales of any year count."""
    world["products"] = [
        product_from(county, title=title, price=price, valid_to=datetime.date(2099, 12, 31))
        for county, title, price in (
            (world["zhaojue"], "昭觉苦荞茶", Decimal("33.33")),
            (world["products"][1].cooperative.county, "会理石榴", Decimal("12.50")),
        )
    ]
    world["evaluator"] = UserFactory(roles=[EVALUATOR])
    return world


def _year_with_indicators(world, year: int) -> None:
    AgreementFactory(pairing=world["pairing"], year=year)
    for indicator in world["indicators"]:
        IndicatorFactory(
            year=year,
            code=indicator.code,
            name=indicator.name,
            measure=indicator.measure,
            target_source=indicator.target_source,
            filter=indicator.filter,
            priority_extra_weight=indicator.priority_extra_weight,
        )


def _drill_downs_add_up(world, year: int) -> None:
    card = Scorecard.objects.get(year=year, pairing=world["pairing"])
    for item in card.items.select_related("indicator", "scorecard"):
        if item.indicator.measure not in MONEY:
            continue
        facts = list(scorecard_item_facts(item=item))
        assert all(f.year == year for f in facts)
        assert item.value == sum((f.amount for f in facts), Decimal("0")), item.indicator.code
        assert item.weighted_value == sum((f.weighted for f in facts), Decimal("0"))


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    sales=st.lists(sale, min_size=1, max_size=3),
    later_refunds=st.lists(st.tuples(st.integers(0, 2), st.integers(1, 4)), max_size=3),
    next_year_sales=st.lists(sale, max_size=2),
)
def test_a_locked_years_drill_downs_add_up_to_its_figures_after_later_refunds(
    lasting, sales, later_refunds, next_year_sales
):
    world = lasting
    year = next(_years)
    for each in (year, year + 1):
        _year_with_indicators(world, each)
    # Given any sales and refunds of a year, which is then locked
    orders = [_place(world, *row, year=year) for row in sales]
    year_lock(year=year, evaluator=world["evaluator"])
    locked = {
        (i.indicator.code, i.value, i.weighted_value)
        for i in ScorecardItem.objects.filter(scorecard__year=year).select_related("indicator")
    }

    # When its orders are refunded further in the next year, and new sales are made there
    for which, units in later_refunds:
        order = orders[which % len(orders)]
        line = order.lines.get()
        left = line.quantity - sum(
            q.quantity for q in line.payment_event_quantities.filter(event__event_type__code=REFUND)
        )
        if min(units, left) > 0:
            order_refund(order=order, when=at(year + 1, 2, 1), lines=[(line, min(units, left))])
    for row in next_year_sales:
        _place(world, *row, year=year + 1)

    # Then the locked year's figures are as locked, and in both years every money figure
    # is the plain sum of the facts its drill-down lists
    assert locked == {
        (i.indicator.code, i.value, i.weighted_value)
        for i in ScorecardItem.objects.filter(scorecard__year=year).select_related("indicator")
    }
    _drill_downs_add_up(world, year)
    scorecards_refresh(year=year + 1)
    _drill_downs_add_up(world, year + 1)
