"""The income ledger is partitioned by year of booking on PostgreSQL (migration 0007,
decision 0008): a settlement's entries, written by COPY, land in their year's partition;
entries of a year without one wait in DEFAULT and move into it, whole, when it is created."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from core.partitions import (
    is_partitioned,
    partition_ensure,
    partition_years,
    partitioned_tables,
    partitions_of,
)
from producers.income.integrity import ledger_integrity_check
from producers.income.models import LedgerEntry
from producers.income.services import events_process
from tests.partitions import on_postgresql

from .conftest import order_create, settlement_record

pytestmark = [
    pytest.mark.django_db,
    on_postgresql,
]
TABLE = "income_ledgerentry"


def _partitions_of_entries(**filters) -> dict[str, int]:
    """{partition: entries} of the entries matching `filters`."""
    ids = list(LedgerEntry.objects.filter(**filters).values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT tableoid::regclass::text, count(*) FROM {TABLE} WHERE id = ANY(%s) "  # noqa: S608
            "GROUP BY 1",
            [ids],
        )
        return dict(cursor.fetchall())


def _settle(world, when: datetime.datetime):
    order = order_create(items=[(world["product"], 2, Decimal("38.00"))], when=when)
    event = settlement_record(order=order, when=when)
    events_process(payment_event_ids=[event.pk])
    return order


def test_the_ledger_is_partitioned_by_year_with_this_and_next_year_ahead():
    this_year = timezone.localdate().year

    assert is_partitioned(TABLE)
    assert {this_year, this_year + 1} <= set(partition_years(TABLE))
    assert f"{TABLE}_default" in partitions_of(TABLE)


def test_a_settlements_entries_land_in_the_partition_of_their_year(linked_cooperative):
    when = datetime.datetime(2026, 5, 20, 10, 0, tzinfo=datetime.UTC)

    order = _settle(linked_cooperative, when)

    # Every entry of the line (written with COPY) is in 2026's partition
    entries = LedgerEntry.objects.filter(line__order=order)
    assert entries.count() > 5
    assert _partitions_of_entries(line__order=order) == {f"{TABLE}_y2026": entries.count()}


def test_entries_waiting_in_default_move_whole_into_their_new_partition(linked_cooperative):
    # Given a settlement booked in 2031, a year with no partition yet: its entries wait in
    # DEFAULT (no insert fails for want of a partition)
    order = _settle(linked_cooperative, datetime.datetime(2031, 3, 1, 10, 0, tzinfo=datetime.UTC))
    entries = sorted(LedgerEntry.objects.filter(line__order=order).values_list("pk", "amount"))
    assert _partitions_of_entries(line__order=order) == {f"{TABLE}_default": len(entries)}

    # When 2031's partition is created (as partitions_ahead does on 1 January 2030)
    [ledger] = [t for t in partitioned_tables() if t.table == TABLE]
    moved = partition_ensure(table=ledger, year=2031)

    # Then they are all there, the same rows, and the ledger still proves itself
    assert moved == len(entries)
    assert _partitions_of_entries(line__order=order) == {f"{TABLE}_y2031": len(entries)}
    assert sorted(LedgerEntry.objects.filter(line__order=order).values_list("pk", "amount")) == (
        entries
    )
    assert ledger_integrity_check().count == 0
    call_command("income_check")  # raises CommandError on any difference
