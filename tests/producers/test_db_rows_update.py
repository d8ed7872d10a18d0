"""rows_update: many rows of one model saved to their own values in one statement."""

from decimal import Decimal

import pytest

from evaluation.models import Scorecard
from producers.db import rows_update
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
