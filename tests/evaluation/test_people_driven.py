"""People driven (带动贫困人口): the registered members of households whose income from a
pairing's sales in the year reaches the indicator's income minimum (decision 0006). The
households figure counts the same households. Orders settle and are refunded through
the store's announcements, so the income ledger and the facts are written as in
production; each step's scorecard, added to incrementally, equals a full refresh."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluation import exports
from evaluation.models import Indicator, PurchaseFact, Scorecard, ScorecardItem
from evaluation.services.scoring import scorecards_refresh
from marketplace.users.roles import EVALUATOR
from producers.income.models import LedgerEntry
from producers.models import BenefitKind
from tests.factories import (
    BenefitLinkFactory,
    BenefitSchemeFactory,
    HouseholdFactory,
    TownshipFactory,
    UserFactory,
    VillageFactory,
)

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


def supplied_by(product, *, size: int):
    """The product's cooperative passes 30% of each sale to one supplying household of
    `size` registered members."""
    village = VillageFactory(parent=TownshipFactory(parent=product.cooperative.county))
    BenefitSchemeFactory(cooperative=product.cooperative, produce_share=Decimal("0.3000"))
    household = HouseholdFactory(village=village, size=size)
    BenefitLinkFactory(
        cooperative=product.cooperative,
        household=household,
        kind=BenefitKind.PRODUCE_SUPPLY,
        supply_share=Decimal("1.00"),
    )
    return household


@pytest.fixture
def world():
    world = east_west_world()
    world["agreement"] = AgreementFactory(
        pairing=world["pairing"], year=2025, target_households=2, target_people=8
    )
    world["households"] = IndicatorFactory(
        code="households",
        name="带动建档立卡户数",
        measure=Indicator.Measure.HOUSEHOLDS,
        target_source=Indicator.TargetSource.AGREEMENT_HOUSEHOLDS,
    )
    world["people"] = IndicatorFactory(
        code="people",
        name="带动贫困人口",
        measure=Indicator.Measure.PEOPLE,
        target_source=Indicator.TargetSource.AGREEMENT_PEOPLE,
    )
    # Tea: ¥200 a box, 30% (¥60 a box) to a household of four.
    world["tea"] = product_from(world["zhaojue"], price=Decimal("200.00"))
    world["four"] = supplied_by(world["tea"], size=4)
    # Pepper: ¥100 a bag, 30% (¥30 a bag) to a household of three.
    world["pepper"] = product_from(world["zhaojue"], title="昭觉花椒", price=Decimal("100.00"))
    world["three"] = supplied_by(world["pepper"], size=3)
    return world


def driven(world) -> tuple[tuple, tuple]:
    """((households, people) as the settlements added them, the same after a full refresh)."""

    def read():
        card = Scorecard.objects.get(pairing=world["pairing"], year=2025)
        return tuple(
            card.items.get(indicator=world[code]).value for code in ("households", "people")
        )

    added = read()
    scorecards_refresh(year=2025)
    return added, read()


def test_the_default_minimum_is_100_yuan_a_household_a_year(world):
    assert world["people"].income_minimum == Decimal("100.00")
    assert world["households"].income_minimum == Decimal("100.00")


def test_people_count_the_members_of_households_over_the_minimum_until_a_refund_takes_them_below(
    world,
):
    # When two boxes of tea sell (¥120 to the household of four) and a bag of pepper
    # (¥30 to the household of three)
    tea = bought(world["tea"], 2)
    bought(world["pepper"], 1)

    # Then the household of four is driven, with its four members; the other is not
    assert driven(world) == ((Decimal("1"), Decimal("4")),) * 2

    # When three more bags of pepper sell in another order (¥120 for the year in all)
    bought(world["pepper"], 3, month=9)

    # Then the year's income takes the household of three over the minimum
    assert driven(world) == ((Decimal("2"), Decimal("7")),) * 2

    # When one box of tea is refunded (¥60 left to the household of four)
    order_refund(order=tea, when=at(2025, 10), lines=[(tea.lines.get(), 1)])

    # Then that household and its four members are no longer driven, on both paths
    assert driven(world) == ((Decimal("1"), Decimal("3")),) * 2

    # And the scores read the people target: 3 of 8 people, 1 of 2 households
    card = Scorecard.objects.get(pairing=world["pairing"], year=2025)
    people = card.items.get(indicator=world["people"])
    assert (people.target, people.score) == (Decimal("8"), Decimal("37.50"))
    assert card.items.get(indicator=world["households"]).score == Decimal("50.00")


def test_the_years_indicators_set_the_minimum(world):
    # Given a year whose households and people are counted from ¥30 a household
    Indicator.objects.filter(pk__in=[world["households"].pk, world["people"].pk]).update(
        income_minimum=Decimal("30.00")
    )

    # When a bag of pepper sells (¥30 to the household of three)
    bought(world["pepper"], 1)

    # Then the household of three is driven, on both paths
    assert driven(world) == ((Decimal("1"), Decimal("3")),) * 2


def test_households_and_people_of_a_year_share_one_minimum(world):
    # A new people indicator with another minimum than the year's is refused, plainly
    other = Indicator(
        year=2025,
        code="people-50",
        name="带动贫困人口（50元）",
        measure=Indicator.Measure.PEOPLE,
        target_source=Indicator.TargetSource.AGREEMENT_PEOPLE,
        weight=Decimal("1"),
        income_minimum=Decimal("50.00"),
    )
    with pytest.raises(ValidationError) as refused:
        other.full_clean()
    assert "100.00" in refused.value.message_dict["income_minimum"][0]

    # Changing the minimum of the year's people indicator changes the households one's too
    people = world["people"]
    people.income_minimum = Decimal("50.00")
    people.full_clean()
    people.save()
    world["households"].refresh_from_db()
    assert world["households"].income_minimum == Decimal("50.00")


def test_people_show_as_whole_numbers_on_the_scorecard_and_in_the_exports(client, world):
    bought(world["tea"], 2)
    client.force_login(UserFactory(roles=[EVALUATOR]))

    page = client.get(reverse("evaluation:scorecard", args=[2025, world["pairing"].pk]))
    table = client.get(reverse("evaluation:table-year", args=[2025]))
    header, row = csv.reader(io.StringIO(exports.as_csv(year=2025).decode("utf-8-sig")))

    assert page.status_code == 200 and table.status_code == 200
    item = page.context["card"].items.get(indicator=world["people"])
    assert f'{reverse("evaluation:item-facts", args=[item.pk])}">4</a>' in page.text
    assert "当年分得收益不少于 ¥100.00 的农户" in page.text  # the minimum it counts from
    assert "带动贫困人口：" in table.text and ">4 / 8</a>" in table.text
    assert row[header.index("带动贫困人口 完成值")] == "4"
    assert row[header.index("带动贫困人口 目标值")] == "8"
    assert "4.00" not in row[header.index("带动贫困人口 完成值")]


def ledger_reads(action) -> int:
    """How many statements reading the income ledger `action` runs (its writes aside)."""
    with CaptureQueriesContext(connection) as captured:
        action()
    return sum(
        1
        for query in captured
        if "income_ledgerentry" in query["sql"] and query["sql"].startswith("SELECT")
    )


def test_people_beside_households_read_the_ledger_no_more_often(world):
    # Given households and people indicators: a settlement, a refund and a refresh
    def settle_refund_refresh() -> tuple[int, int, int]:
        tea = bought(world["tea"], 2)
        with_settlement = ledger_reads(lambda: bought(world["tea"], 2))
        with_refund = ledger_reads(
            lambda: order_refund(order=tea, when=at(2025, 7), lines=[(tea.lines.get(), 1)])
        )
        return with_settlement, with_refund, ledger_reads(lambda: scorecards_refresh(year=2025))

    both = settle_refund_refresh()

    # When the people indicator goes and the same happens again
    ScorecardItem.objects.filter(indicator=world["people"]).delete()
    world["people"].delete()
    households_only = settle_refund_refresh()

    # Then each reads the ledger as often for both figures as for households alone
    assert both == households_only and all(both)


def from_the_ledger(world) -> tuple:
    """(households, people) read straight from the ledger: each household's net over the
    lines of the pairing's counted facts of 2025, against the ¥100.00 minimum."""
    lines = PurchaseFact.objects.filter(
        year=2025, counts=True, bought_pairing=world["pairing"]
    ).values("line_id")
    nets = (
        LedgerEntry.objects.filter(line__in=lines, household__isnull=False)
        .values("household", "household__size")
        .annotate(net=Sum("amount"))
    )
    sizes = [row["household__size"] for row in nets if row["net"] >= Decimal("100.00")]
    return Decimal(len(sizes)), Decimal(sum(sizes))


@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    sales=st.lists(
        st.tuples(
            st.sampled_from(["tea", "pepper"]),
            st.integers(1, 4),  # quantity
            st.integers(0, 4),  # units refunded later (at most the quantity)
        ),
        min_size=1,
        max_size=4,
    )
)
def test_settlement_by_settlement_people_and_households_equal_a_full_refresh(world, sales):
    # Given any sales and refunds of the two products (the database keeps those of
    # earlier examples too), each settled and refunded through the store's events
    for product, quantity, refunded in sales:
        order = order_place(products=[(world[product], quantity)])
        order_settle(order=order, when=at(2025, 5))
        if min(refunded, quantity):
            line = order.lines.get()
            order_refund(order=order, when=at(2025, 8), lines=[(line, min(refunded, quantity))])

    # Then what the settlements added equals a full refresh and the ledger itself
    added, refreshed = driven(world)
    assert added == refreshed == from_the_ledger(world)
