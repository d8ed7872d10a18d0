"""The daily beat task and the operators' command that keep next year's partitions ready
(core/partitions.py, decision 0008): a year's partition missing is created, the partitioned
tables get their statistics, and a second run changes nothing."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from config.celery import app
from config.tasks import partitions_ahead_task
from core.partitions import partition_name, partition_years
from tests.partitions import on_postgresql

pytestmark = [
    pytest.mark.django_db,
    on_postgresql,
]
TABLES = ("income_ledgerentry", "evaluation_purchasefact")


def _drop_next_years_partitions() -> int:
    next_year = timezone.localdate().year + 1
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(
                f"DROP TABLE {connection.ops.quote_name(partition_name(table, next_year))}"
            )
    return next_year


def _parent_statistics(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = to_regclass(%s)", [table])
        return cursor.fetchone()[0]


def _ledger_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM income_ledgerentry")
        return cursor.fetchone()[0]


def test_beat_runs_the_partitions_task_daily():
    entry = settings.CELERY_BEAT_SCHEDULE["partitions-ahead-daily"]
    assert entry["task"] == "config.tasks.partitions_ahead_task"
    assert entry["task"] in app.tasks
    assert entry["schedule"].hour == {4} and entry["schedule"].minute == {30}


def _ledger_rows_unmeasured(count: int) -> None:
    """`count` retained entries written straight to the ledger (it has no database foreign
    keys), which its parent's statistics do not know of until an ANALYZE."""
    with connection.cursor() as cursor:
        for _ in range(count):
            cursor.execute(
                "INSERT INTO income_ledgerentry (cooperative_id, line_id, payment_event_id, "
                "kind, amount, booked_on, created_at) "
                "VALUES (1, 1, 1, 'cooperative_retained', 1.00, %s, %s)",
                [timezone.localdate(), timezone.now()],
            )


def test_the_daily_task_creates_a_missing_next_year_once_and_analyzes_the_tables():
    next_year = _drop_next_years_partitions()
    for table in TABLES:
        assert next_year not in partition_years(table)
    _ledger_rows_unmeasured(3)
    entries = _ledger_count()
    assert _parent_statistics("income_ledgerentry") != entries  # measured before the rows

    created = partitions_ahead_task.apply().get()

    assert created == {table: [(next_year, 0)] for table in TABLES}
    for table in TABLES:
        assert next_year in partition_years(table)
    assert _parent_statistics("income_ledgerentry") == entries  # the task's ANALYZE counted
    assert partitions_ahead_task.apply().get() == {}


def test_the_operators_command_creates_what_is_missing_and_lists_each_tables_years():
    next_year = _drop_next_years_partitions()
    out = StringIO()

    call_command("partitions_ahead", stdout=out)

    text = out.getvalue()
    for table in TABLES:
        assert f"{table}: created {next_year} (0 rows moved out of DEFAULT)" in text
        years = ", ".join(str(year) for year in partition_years(table))
        assert f"{table}: years {years};" in text
        assert str(next_year) in years
