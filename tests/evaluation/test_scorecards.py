"""Scorecards: values from facts, scores against agreement targets, totals, grades and
ranks; every figure equals the sum of its drill-down facts."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluation.models import Grade, Indicator, Scorecard, ScorecardItem
from evaluation.services.scoring import facts_for, scorecards_refresh
from tests.factories import CountyFactory, OrganisationFactory, PairingFactory
from tests.store_factories import sales_channel_create

from .factories import AgreementFactory, IndicatorFactory, bought, east_west_world, product_from

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = east_west_world()
    world["agreement"] = AgreementFactory(
        pairing=world["pairing"], year=2025, target_bought=Decimal("1000.00")
    )
    return world


def rival(world):
    """Another pairing Zhejiang helps, with the same ¥1,000 target for 2025."""
    pairing = PairingFactory(east_region=world["zhejiang"], end_year=None)
    AgreementFactory(pairing=pairing, year=2025, target_bought=Decimal("1000.00"))
    return pairing


def test_amount_bought_is_scored_against_the_agreement_target(world):
    # Given a target of ¥1,000 and a proportional indicator
    bought_indicator = IndicatorFactory(weight=Decimal("1"))
    product = product_from(world["zhaojue"], price=Decimal("100.00"))

    # When ¥800 of certified products are bought from the pairing's counties
    bought(product, 8)

    # Then the scorecard shows ¥800 of ¥1,000: 80 points, grade 较好, rank 1
    card = Scorecard.objects.get(pairing=world["pairing"], year=2025)
    item = card.items.get(indicator=bought_indicator)
    assert (item.value, item.target, item.score) == (
        Decimal("800.00"),
        Decimal("1000.00"),
        Decimal("80.00"),
    )
    assert card.total == Decimal("80.00")
    assert card.grade == Grade.FAIRLY_GOOD and card.get_grade_display() == "较好"
    assert card.rank == 1


def test_score_is_capped_at_full_marks_and_all_or_nothing_rule(world):
    IndicatorFactory(code="a", weight=Decimal("1"))
    IndicatorFactory(
        code="b",
        weight=Decimal("1"),
        rule=Indicator.Rule.ALL_OR_NOTHING,
        target_source=Indicator.TargetSource.FIXED,
        target_fixed=Decimal("5000"),
    )

    bought(product_from(world["zhaojue"], price=Decimal("200.00")), 10)

    card = Scorecard.objects.get()
    assert [i.score for i in card.items.order_by("indicator__code")] == [
        Decimal("100.00"),
        Decimal("0.00"),
    ]
    assert card.total == Decimal("50.00") and card.grade == Grade.POOR


def test_ordinary_county_purchases_do_not_get_the_extra_weight(world):
    indicator = IndicatorFactory(priority_extra_weight=Decimal("0.50"))
    ordinary = CountyFactory(parent=world["liangshan"], name="西昌市")

    bought(product_from(ordinary, price=Decimal("100.00")), 2)

    item = Scorecard.objects.get(pairing=world["pairing"]).items.get(indicator=indicator)
    assert item.value == Decimal("200.00")


def test_supervision_target_purchase_with_extra_weight_counts_one_and_a_half(world):
    indicator = IndicatorFactory(priority_extra_weight=Decimal("0.50"))

    bought(product_from(world["zhaojue"], price=Decimal("100.00")), 2)

    # Then the money is what was paid, and the score reads the weighted value beside it
    item = Scorecard.objects.get().items.get(indicator=indicator)
    assert item.value == Decimal("200.00")
    assert item.weighted_value == Decimal("300.00")
    assert item.score == Decimal("30.00")  # 300 of the ¥1,000 target


def test_ranks_and_grades_among_pairings(world):
    # Given two pairings with the same target, one reaching it and one reaching half
    IndicatorFactory()
    other = rival(world)

    bought(product_from(world["zhaojue"], price=Decimal("1000.00")))
    bought(product_from(other.west_region, price=Decimal("500.00")))

    cards = list(Scorecard.objects.filter(year=2025).order_by("rank"))
    assert [(c.pairing, c.rank, c.grade) for c in cards] == [
        (world["pairing"], 1, Grade.GOOD),
        (other, 2, Grade.POOR),
    ]


def test_a_later_settlement_that_overtakes_moves_the_ranks(world):
    # Given two scored pairings, the first ahead
    IndicatorFactory()
    other = rival(world)
    bought(product_from(world["zhaojue"], price=Decimal("500.00")))
    bought(product_from(other.west_region, price=Decimal("300.00")))

    # When the second buys enough to overtake
    bought(product_from(other.west_region, price=Decimal("400.00")))

    # Then the ranks swap
    ranks = {c.pairing_id: c.rank for c in Scorecard.objects.filter(year=2025)}
    assert ranks == {other.pk: 1, world["pairing"].pk: 2}


def test_tied_totals_share_a_rank_and_the_next_rank_is_skipped(world):
    # Given three pairings with the same target, two of them buying the same amount
    IndicatorFactory()
    second, third = rival(world), rival(world)

    bought(product_from(world["zhaojue"], price=Decimal("500.00")))
    bought(product_from(second.west_region, price=Decimal("1000.00")))
    bought(product_from(third.west_region, price=Decimal("1000.00")))

    # Then settlement by settlement, and after a full refresh alike, the two share rank 1
    # and the third comes 3rd (competition ranking: 1, 1, 3)
    def ranks():
        return {c.pairing_id: c.rank for c in Scorecard.objects.filter(year=2025)}

    expected = {second.pk: 1, third.pk: 1, world["pairing"].pk: 3}
    assert ranks() == expected
    scorecards_refresh(year=2025)
    assert ranks() == expected


def test_every_figure_equals_the_sum_of_its_drill_down_facts(world):
    # Given all four measures, weighted, and purchases of every kind
    indicators = [
        IndicatorFactory(code="bought", priority_extra_weight=Decimal("0.25")),
        IndicatorFactory(
            code="helped",
            measure=Indicator.Measure.AMOUNT_HELPED,
            target_source=Indicator.TargetSource.AGREEMENT_HELPED,
        ),
        IndicatorFactory(
            code="products",
            measure=Indicator.Measure.CERTIFIED_PRODUCTS,
            target_source=Indicator.TargetSource.AGREEMENT_PRODUCTS,
        ),
        IndicatorFactory(
            code="deep",
            filter=Indicator.Filter.DEEP_POVERTY,
        ),
    ]
    zone = sales_channel_create(region=world["hangzhou"])
    tea = product_from(world["zhaojue"], price=Decimal("33.33"))
    honey = product_from(world["zhaojue"], price=Decimal("12.50"))
    uncertified = product_from(world["zhaojue"], state=None)
    canteen = OrganisationFactory(home_region=world["hangzhou"])
    bought(tea, 3)
    bought(honey, 1, organisation=canteen, channel=zone)
    bought(uncertified, 5)
    bought(tea, 2, channel=zone, province="火星省")

    # When the scorecard is read
    card = Scorecard.objects.get()

    # Then each indicator's value equals the total of the facts its drill-down lists
    from evaluation.selectors import scorecard_item_facts

    for indicator in indicators:
        item = card.items.get(indicator=indicator)
        facts = scorecard_item_facts(item=item)
        if indicator.measure == Indicator.Measure.CERTIFIED_PRODUCTS:
            assert item.value == len({f.product_id for f in facts}) == 2
        else:
            assert item.value == sum(f.amount for f in facts)
            assert item.weighted_value == sum(f.weighted for f in facts)
        assert all(f.counts for f in facts)
    values = [card.items.get(indicator=i).value for i in indicators]
    # The canteen's honey in its own region's zone is its purchase, not also help-sell.
    assert values == [Decimal("112.49"), Decimal("66.66"), Decimal("2"), Decimal("112.49")]
    assert card.items.get(indicator=indicators[0]).weighted_value == Decimal("140.6125")


def test_settlements_added_one_by_one_equal_a_full_refresh(world):
    # Given figures built settlement by settlement (each added to the scorecard)
    IndicatorFactory(code="bought", priority_extra_weight=Decimal("0.25"))
    IndicatorFactory(
        code="products",
        measure=Indicator.Measure.CERTIFIED_PRODUCTS,
        target_source=Indicator.TargetSource.AGREEMENT_PRODUCTS,
    )
    tea = product_from(world["zhaojue"], price=Decimal("33.33"))
    honey = product_from(world["zhaojue"], price=Decimal("12.50"))
    for product, quantity in ((tea, 3), (honey, 1), (tea, 2)):
        bought(product, quantity)
    added = sorted(
        (i.indicator_id, i.value, i.weighted_value, i.score)
        for i in Scorecard.objects.get().items.all()
    )
    total = Scorecard.objects.get().total

    # When the year is recomputed from all its facts at once
    scorecards_refresh(year=2025)

    # Then nothing moves, to the last digit
    card = Scorecard.objects.get()
    assert (
        sorted((i.indicator_id, i.value, i.weighted_value, i.score) for i in card.items.all())
        == added
    )
    assert card.total == total
    items = card.items.order_by("indicator__code")
    assert [(i.value, i.weighted_value) for i in items] == [
        # 99.99 + 12.50 + 66.66, × 1.25 for scoring: all from a supervision target
        (Decimal("179.15"), Decimal("223.9375")),
        (Decimal("2"), Decimal("2")),
    ]


def test_scorecard_without_an_agreement_is_not_made(world):
    IndicatorFactory(year=2026)

    bought(product_from(world["zhaojue"]), year=2026)

    assert not Scorecard.objects.filter(year=2026).exists()


def test_refresh_recomputes_from_facts(world):
    IndicatorFactory()
    bought(product_from(world["zhaojue"], price=Decimal("100.00")))
    world["agreement"].target_bought = Decimal("100.00")
    world["agreement"].save()

    scorecards_refresh(year=2025)

    assert Scorecard.objects.get().total == Decimal("100.00")
    assert facts_for(indicator=Indicator.objects.get(), pairing_id=world["pairing"].pk).count() == 1


def test_households_reached_follow_each_settlement_and_refund_as_a_full_refresh_would(world):
    # Given a households indicator and a cooperative whose scheme pays two supplying households
    from evaluation.services.scoring import scorecards_refresh
    from producers.models import BenefitKind
    from tests.factories import (
        BenefitLinkFactory,
        BenefitSchemeFactory,
        HouseholdFactory,
        TownshipFactory,
        VillageFactory,
    )

    from .factories import at, order_refund

    # (any fen drives a household here: the yearly minimum has its own tests, in
    # test_people_driven.py)
    indicator = IndicatorFactory(
        code="households",
        measure=Indicator.Measure.HOUSEHOLDS,
        target_source=Indicator.TargetSource.AGREEMENT_HOUSEHOLDS,
        income_minimum=Decimal("0.01"),
    )
    tea = product_from(world["zhaojue"])
    other = product_from(world["zhaojue"], title="昭觉花椒")
    village = VillageFactory(parent=TownshipFactory(parent=world["zhaojue"]))
    BenefitSchemeFactory(cooperative=tea.cooperative)
    for _ in range(2):
        BenefitLinkFactory(
            cooperative=tea.cooperative,
            household=HouseholdFactory(village=village),
            kind=BenefitKind.PRODUCE_SUPPLY,
            supply_share=Decimal("1.00"),
        )

    def added_and_refreshed():
        added = Scorecard.objects.get().items.get(indicator=indicator).value
        scorecards_refresh(year=2025)
        return added, Scorecard.objects.get().items.get(indicator=indicator).value

    # When orders settle and are refunded one by one, each added to the scorecard
    first = bought(tea, 2)
    assert added_and_refreshed() == (Decimal("2"), Decimal("2"))
    bought(other, 1)  # a product whose cooperative pays no household
    assert added_and_refreshed() == (Decimal("2"), Decimal("2"))
    second = bought(tea, 1)
    assert added_and_refreshed() == (Decimal("2"), Decimal("2"))
    order_refund(order=first, when=at(2025, 7), lines=[(first.lines.get(), 2)])
    # Then the households stay reached while another purchase still pays them ...
    assert added_and_refreshed() == (Decimal("2"), Decimal("2"))
    order_refund(order=second, when=at(2025, 8), lines=[(second.lines.get(), 1)])
    # ... and no longer once every purchase that paid them is refunded
    assert added_and_refreshed() == (Decimal("0"), Decimal("0"))


def test_a_refresh_takes_as_few_queries_for_many_pairings_as_for_one(world):
    # Given a year with an amount and a households indicator, and one settled purchase
    IndicatorFactory(code="bought")
    IndicatorFactory(
        code="households",
        measure=Indicator.Measure.HOUSEHOLDS,
        target_source=Indicator.TargetSource.AGREEMENT_HOUSEHOLDS,
    )
    bought(product_from(world["zhaojue"], price=Decimal("100.00")))

    def refresh_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            scorecards_refresh(year=2025)
        return len(queries)

    one = refresh_queries()

    # When ten more pairings get agreements: a refresh makes their cards, then rewrites all
    for _ in range(10):
        rival(world)
    making = refresh_queries()
    Scorecard.objects.update(total=Decimal("1.00"))
    ScorecardItem.objects.update(value=Decimal("-1"))
    rewriting = refresh_queries()

    # Then it takes as many queries as with one pairing, give or take the two statements
    # that insert new cards and items (a year has some 1,600 pairings)
    assert making <= one + 2 and rewriting <= one + 2, (one, making, rewriting)
    assert Scorecard.objects.filter(year=2025).count() == 11
    assert ScorecardItem.objects.filter(scorecard__year=2025).count() == 22
    card = Scorecard.objects.get(pairing=world["pairing"])
    assert [i.value for i in card.items.order_by("indicator__code")] == [Decimal("100"), 0]
    assert card.total == Decimal("5.00") and card.rank == 1  # 10 of 100 points ÷ 2


def test_a_refresh_follows_the_years_indicators(world):
    # Given cards made with one indicator
    first = IndicatorFactory(code="bought")
    bought(product_from(world["zhaojue"], price=Decimal("100.00")))
    card = Scorecard.objects.get()

    # When a second indicator is added and the first is moved to another year
    second = IndicatorFactory(code="helped", measure=Indicator.Measure.AMOUNT_HELPED)
    Indicator.objects.filter(pk=first.pk).update(year=2024)
    scorecards_refresh(year=2025)

    # Then the card has an item for the second only, and its total follows
    assert [i.indicator for i in card.items.all()] == [second]
    card.refresh_from_db()
    assert card.total == Decimal("0.00")
