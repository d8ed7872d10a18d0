"""core.statements: a read compiled once per process and run again with new values gives
exactly what Django gives for the same queryset, for every set of values."""

from decimal import Decimal

import pytest
from django.db.models import Count, F, Subquery

from core.bulk import objs_insert
from core.statements import Statement
from evaluation.models import Indicator, Scorecard, ScorecardItem
from producers.models import Region
from tests.evaluation.factories import IndicatorFactory
from tests.factories import PairingFactory

pytestmark = pytest.mark.django_db


def _items(*, year, pairings):
    # A small-integer column (bound as psycopg's Int2), a list, an annotation among the
    # fields, and the model's ordering through a relation (an extra column Django cuts).
    return (
        ScorecardItem.objects.filter(scorecard__year=year, scorecard__pairing_id__in=pairings)
        .annotate(
            year_indicators=Subquery(
                Indicator.objects.filter(year=year)
                .order_by()
                .values("year")
                .annotate(n=Count("pk"))
                .values("n")
            )
        )
        .order_by("indicator__position", "pk")
        .values_list("pk", "value", "year_indicators", "scorecard__pairing_id", "indicator__code")
    )


@pytest.fixture
def cards():
    """Two years of scorecards of three pairings, with different values."""
    pairings = [PairingFactory() for _ in range(3)]
    for year in (2024, 2025):
        indicators = [
            IndicatorFactory(year=year, code=f"i{n}", position=n) for n in range(year - 2022)
        ]
        for p, pairing in enumerate(pairings):
            card = Scorecard.objects.create(
                pairing=pairing, year=year, total=Decimal(p), grade="poor", rank=0
            )
            for n, indicator in enumerate(indicators):
                ScorecardItem.objects.create(
                    scorecard=card,
                    indicator=indicator,
                    value=Decimal(f"{year}.{p}{n}"),
                    weighted_value=Decimal("0"),
                    target=None,
                    score=Decimal("0"),
                )
    return pairings


def test_every_run_binds_its_own_values_and_gives_djangos_rows(cards):
    statement = Statement(_items, model=ScorecardItem)
    ids = [p.pk for p in cards]
    for year, pairings in [
        (2025, ids[:2]),
        (2024, ids[:2]),  # same shape, other values: the same SQL, bound anew
        (2024, ids[1:]),
        (2025, ids),  # a longer list: a shape of its own
        (2023, ids[:1]),  # a year without cards
    ]:
        rows = statement.rows(year=year, pairings=pairings)
        assert rows == list(_items(year=year, pairings=pairings))
        assert len(rows) == (year - 2022) * len(pairings) if year > 2023 else rows == []
    # 2024 has two indicators: two items of the first pairing, in position order
    assert statement.rows(year=2024, pairings=ids[:1]) == [
        (pk, Decimal(f"2024.0{n}"), 2, ids[0], f"i{n}")
        for n, pk in enumerate(
            ScorecardItem.objects.filter(scorecard__pairing=cards[0], scorecard__year=2024)
            .order_by("indicator__position")
            .values_list("pk", flat=True)
        )
    ]


def test_flat_lists_strings_and_values_that_decide_the_sql(cards):
    regions = Statement(
        lambda *, level, codes: (
            Region.objects.filter(level=level, code__in=codes)
            .order_by("code")
            .values_list("code", flat=True)
        ),
        model=Region,
    )
    Region.objects.create(code="510000", name="四川省", level=1, side="west")
    Region.objects.create(code="520000", name="贵州省", level=1, side="west")
    assert regions.rows(level=1, codes=["520000", "510000"]) == ["510000", "520000"]
    assert regions.rows(level=1, codes=["510000", "530000"]) == ["510000"]
    assert regions.rows(level=2, codes=["510000", "530000"]) == []
    # An empty list and None change the SQL Django writes: run as Django runs them.
    assert regions.rows(level=1, codes=[]) == []
    totals = Statement(
        lambda *, total: (
            Scorecard.objects.filter(total=total)
            .order_by("pairing_id")
            .values_list(F("pairing_id"), flat=True)
        ),
        model=Scorecard,
    )
    assert totals.rows(total=Decimal("1")) == sorted(
        Scorecard.objects.filter(total=1).values_list("pairing_id", flat=True)
    )
    assert totals.rows(total=None) == []


def test_inserted_objects_get_their_keys_and_the_columns_djangos_would(cards):
    card = Scorecard.objects.get(pairing=cards[0], year=2025)
    indicator = IndicatorFactory(year=2025, code="extra", position=9)
    items = [
        ScorecardItem(
            scorecard=card,
            indicator=indicator,
            value=Decimal("1.2345"),
            weighted_value=Decimal("2"),
            target=None,
            score=Decimal("3.5"),
        )
    ]
    objs_insert(items)
    assert items[0].pk is not None and not items[0]._state.adding
    stored = ScorecardItem.objects.get(pk=items[0].pk)
    assert (stored.value, stored.weighted_value, stored.target, stored.score) == (
        Decimal("1.2345"),
        Decimal("2.0000"),
        None,
        Decimal("3.50"),
    )
