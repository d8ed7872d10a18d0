"""rows_update and values_update: many rows of one model saved to their own values in one
statement."""

import datetime
from decimal import Decimal

import pytest

from core.bulk import rows_update, values_update
from evaluation.models import Scorecard, ScorecardItem
from tests.evaluation.factories import IndicatorFactory
from tests.factories import PairingFactory

pytestmark = pytest.mark.django_db


def test_each_row_gets_its_own_values_and_other_rows_and_fields_are_untouched(
    django_assert_num_queries,
):
    cards = [
        Scorecard.objects.create(
            pairing=PairingFactory(), year=2025, total=Decimal("10.00"), grade="poor", rank=0
        )
        for _ in range(3)
    ]
    cards[0].total, cards[0].grade, cards[0].rank = Decimal("95.50"), "good", 9
    cards[1].total, cards[1].grade = Decimal("0.01"), "poor"

    with django_assert_num_queries(1):
        rows_update(cards[:2], ["total", "grade"])

    saved = {c.pk: (c.total, c.grade, c.rank) for c in Scorecard.objects.all()}
    assert saved == {
        cards[0].pk: (Decimal("95.50"), "good", 0),  # rank was not among the fields
        cards[1].pk: (Decimal("0.01"), "poor", 0),
        cards[2].pk: (Decimal("10.00"), "poor", 0),
    }


def test_nothing_to_update_sends_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        rows_update([], ["total"])


def test_values_update_sets_plain_values_row_by_row(django_assert_num_queries):
    # Given two items, one with a target and one without
    card = Scorecard.objects.create(
        pairing=PairingFactory(), year=2025, total=Decimal("10.00"), grade="poor", rank=0
    )
    indicators = [IndicatorFactory(code=code) for code in ("a", "b")]
    items = [
        ScorecardItem.objects.create(
            scorecard=card, indicator=i, value=Decimal("1"), target=None, score=Decimal("0")
        )
        for i in indicators
    ]
    moment = datetime.datetime(2025, 6, 15, 10, 0, tzinfo=datetime.UTC)

    # When each gets its own values, a target set and a target cleared among them
    with django_assert_num_queries(2):
        values_update(
            model=ScorecardItem,
            fields=["value", "target", "score"],
            rows=[
                (items[0].pk, Decimal("12.3456"), Decimal("100.00"), Decimal("12.35")),
                (items[1].pk, Decimal("0"), None, Decimal("0.00")),
            ],
        )
        values_update(model=Scorecard, fields=["computed_at"], rows=[(card.pk, moment)])

    # Then each row holds exactly its values
    assert {i.pk: (i.value, i.target, i.score) for i in ScorecardItem.objects.all()} == {
        items[0].pk: (Decimal("12.3456"), Decimal("100.00"), Decimal("12.35")),
        items[1].pk: (Decimal("0"), None, Decimal("0.00")),
    }
    card.refresh_from_db()
    assert card.computed_at == moment
