"""The purchase facts are partitioned by the year they count in on PostgreSQL (migration
0013, decision 0008): a year's scorecards read that year's partition only, and the one fact
per (event, line) and per (off-platform sale, kind) still holds across years, although the
table's unique constraints include the year."""

import datetime
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oscar.core.loading import get_model

from core.partitions import is_partitioned, partition_ensure, partitioned_tables
from evaluation.models import Indicator, PurchaseFact
from evaluation.services.facts import purchase_facts_record
from evaluation.services.locking import year_lock
from evaluation.services.offplatform import (
    offplatform_facts_record,
    offplatform_sale_confirm,
    offplatform_sale_record,
)
from evaluation.services.rebuild import evaluation_rebuild
from evaluation.services.scoring import scorecards_refresh
from marketplace.users.roles import EVALUATOR
from tests.factories import UserFactory
from tests.partitions import on_postgresql
from tests.store_factories import cooperative_staff_create

from .factories import AgreementFactory, IndicatorFactory, bought, east_west_world, product_from
from .offplatform_helpers import organisation_admin, pdf

pytestmark = pytest.mark.django_db
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")
TABLE = "evaluation_purchasefact"


@pytest.fixture
def world():
    world = east_west_world()
    for year in (2024, 2025, 2026):
        AgreementFactory(pairing=world["pairing"], year=year, target_bought=Decimal("1000.00"))
    IndicatorFactory(
        name="帮助销售额",
        measure=Indicator.Measure.AMOUNT_HELPED,
        target_source=Indicator.TargetSource.AGREEMENT_HELPED,
    )
    world["product"] = product_from(world["zhaojue"], price=Decimal("100.00"))
    world["evaluator"] = UserFactory(roles=[EVALUATOR])
    return world


def _partitions_in_plan(statement: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {statement}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # A partition's name, or its index's (which begins with it)
    return {f"{TABLE}_{name}" for name in re.findall(rf"\b{TABLE}_(y\d{{4}}|default)", plan)}


@on_postgresql
def test_a_years_scorecards_read_only_that_years_partition_of_facts(world):
    # Given facts of 2024, 2025 and 2026, each year in its own partition
    [facts] = [t for t in partitioned_tables() if t.table == TABLE]
    assert is_partitioned(TABLE)
    for year in (2024, 2025):
        partition_ensure(table=facts, year=year)
    for year in (2024, 2025, 2026):
        bought(world["product"], 2, year=year)
    assert PurchaseFact.objects.filter(year=2025).count() == 1

    # When 2025's scorecards are refreshed
    with CaptureQueriesContext(connection) as captured:
        scorecards_refresh(year=2025)

    # Then every query of the facts it ran reads 2025's partition and no other
    fact_queries = [q["sql"] for q in captured.captured_queries if TABLE in q["sql"]]
    assert fact_queries
    for statement in fact_queries:
        assert _partitions_in_plan(statement) == {f"{TABLE}_y2025"}, statement


def test_a_settlement_replayed_after_its_year_was_locked_writes_no_second_fact(world):
    # Given a 2025 settlement whose facts were written, then 2025 locked
    order = bought(world["product"], 2, year=2025)
    event = order.payment_events.get()
    year_lock(year=2025, evaluator=world["evaluator"])

    # When the settlement's facts are recorded again (a retried task): the fact would now
    # go to 2026 as an adjustment, where the (event, line, year) constraint cannot see 2025's
    again = purchase_facts_record(payment_event_id=event.pk)

    # Then nothing more is written: the one fact stays in 2025
    assert [(f.year, f.amount) for f in again] == [(2025, Decimal("200.00"))]
    assert list(PurchaseFact.objects.values_list("year", "amount")) == [(2025, Decimal("200.00"))]


def test_an_offplatform_sale_recorded_again_after_its_year_was_locked_writes_nothing(
    world, django_capture_on_commit_callbacks
):
    # Given a confirmed 2025 off-platform sale, counted, then 2025 locked
    cooperative = world["product"].cooperative
    organisation, recorder = organisation_admin(home_region=world["hangzhou"])
    sale = offplatform_sale_record(
        actor=recorder,
        organisation=organisation,
        cooperative=cooperative,
        channel_kind="counter",
        sold_on=datetime.date(2025, 6, 15),
        amount="1000.00",
        lines=[(world["product"], 10)],
        evidence=[pdf()],
        corrects=None,
    )
    with django_capture_on_commit_callbacks(execute=True):
        offplatform_sale_confirm(sale=sale, actor=cooperative_staff_create(cooperative=cooperative))
    assert list(PurchaseFact.objects.values_list("year", "amount")) == [(2025, Decimal("1000.00"))]
    year_lock(year=2025, evaluator=world["evaluator"])

    # When its facts are recorded again (a retried task), which would now go to 2026
    again = offplatform_facts_record(sale_id=sale.pk)

    # Then nothing is written
    assert again == []
    assert list(PurchaseFact.objects.values_list("year", "amount")) == [(2025, Decimal("1000.00"))]


def _scans_by_partition() -> dict[str, int]:
    """Scans (sequential or by index) and rows written of each partition of the facts so
    far in this transaction, whichever statement did it (psycopg's own cursor included)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, seq_scan + coalesce(idx_scan, 0) + n_tup_ins + n_tup_upd"
            " + n_tup_del FROM pg_stat_xact_user_tables WHERE relname LIKE %s",
            [f"{TABLE}_%"],
        )
        return dict(cursor.fetchall())


def _scanned_since(before: dict[str, int]) -> dict[str, int]:
    after = _scans_by_partition()
    return {name: n - before.get(name, 0) for name, n in after.items() if n > before.get(name, 0)}


@on_postgresql
def test_a_years_rebuild_reads_and_writes_only_that_years_partition_of_facts(world):
    # Given facts of 2024, 2025 and 2026 in their partitions, and in 2025 one fact
    # tampered with and one whose payment line is gone
    [facts] = [t for t in partitioned_tables() if t.table == TABLE]
    for year in (2024, 2025):
        partition_ensure(table=facts, year=year)
    for year in (2024, 2026):
        bought(world["product"], 1, year=year)
    tampered, lost, sourceless = (
        bought(world["product"], n, year=2025).payment_events.get().pk for n in (1, 2, 3)
    )
    PurchaseFact.objects.filter(payment_event=tampered).update(amount=Decimal("1.00"))
    PaymentEventQuantity.objects.filter(event=sourceless).delete()

    # When 2025 alone is rebuilt
    before = _scans_by_partition()
    report = evaluation_rebuild(year=2025)

    # Then it repaired both, and read and wrote 2025's partition only
    assert (len(report.updated), len(report.deleted)) == (1, 1)
    assert set(_scanned_since(before)) == {f"{TABLE}_y2025"}

    # And a lost fact is looked up in the other years once before it is made again
    PurchaseFact.objects.filter(payment_event=lost).delete()
    before = _scans_by_partition()
    report = evaluation_rebuild(year=2025)
    assert len(report.created) == 1 and report.differences == 1
    others = {name: n for name, n in _scanned_since(before).items() if "y2025" not in name}
    assert others and set(others.values()) == {1}, others
