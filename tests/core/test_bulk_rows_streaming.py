"""rows_streaming: rows appended to one table part by part, in one COPY on PostgreSQL."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from core.bulk import rows_streaming
from evaluation.models import Scorecard
from tests.factories import PairingFactory

pytestmark = pytest.mark.django_db

FIELDS = ["pairing_id", "year", "total", "grade", "rank", "computed_at"]
AT = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)


class Stop(Exception):
    pass


def test_rows_written_in_parts_are_all_stored_with_their_values():
    pairings = [PairingFactory() for _ in range(3)]

    with rows_streaming(Scorecard, FIELDS) as write:
        write([(pairings[0].pk, 2025, Decimal("10.50"), "good", 1, AT)])
        write([])
        write([(p.pk, 2026, Decimal("0.01"), "poor", 2, AT) for p in pairings[1:]])

    assert sorted(Scorecard.objects.values_list("pairing_id", "year", "total", "grade")) == [
        (pairings[0].pk, 2025, Decimal("10.50"), "good"),
        (pairings[1].pk, 2026, Decimal("0.01"), "poor"),
        (pairings[2].pk, 2026, Decimal("0.01"), "poor"),
    ]


def test_an_error_between_parts_stores_nothing_and_the_connection_goes_on():
    pairing = PairingFactory()

    with pytest.raises(Stop), transaction.atomic():
        with rows_streaming(Scorecard, FIELDS) as write:
            write([(pairing.pk, 2025, Decimal("10.50"), "good", 1, AT)])
            raise Stop

    assert not Scorecard.objects.exists()
