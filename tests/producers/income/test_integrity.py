"""The ledger has no database foreign keys: `manage.py income_check` (nightly, and inside the
restore check) is what proves its references, its sums and its reversals. A settled world
has zero difference; every kind of breakage planted under the ORM is named and exits 1."""

import datetime
import io
import logging
from decimal import Decimal

import pytest
from celery import current_app
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import ProtectedError

from config.ops.restore import restore_check
from producers.income.integrity import ledger_integrity_check
from producers.income.models import LedgerEntry, LineMovement
from producers.income.services import events_process
from producers.income.services.outside import outside_sale_book, outside_sales_reverse
from producers.income.tasks import ledger_integrity_check_task

from .conftest import order_create, refund_record, settlement_record

pytestmark = pytest.mark.django_db

SOLD_ON = datetime.date(2026, 5, 18)
MISSING = 2_000_000_000  # an id no row has


@pytest.fixture
def settled(linked_cooperative):
    """Two orders settled, one refunded in part and one in full; a sale outside the store
    booked and another booked and then corrected (reversed)."""
    world = linked_cooperative
    partly = order_create(items=[(world["product"], 2, Decimal("38.00"))])
    wholly = order_create(items=[(world["product"], 3, Decimal("38.00"))])
    events_process(payment_event_ids=[settlement_record(order=o).pk for o in (partly, wholly)])
    partly_refund = refund_record(order=partly, lines=[(partly.lines.get(), 1)])
    wholly_refund = refund_record(order=wholly, lines=[(wholly.lines.get(), 3)])
    events_process(payment_event_ids=[partly_refund.pk, wholly_refund.pk])
    a, b = world["suppliers"]
    sales = {}
    for reference, amount in (("kept", "100.00"), ("corrected", "777.77")):
        sales[reference] = outside_sale_book(
            cooperative=world["cooperative"],
            product=world["product"],
            quantity=10,
            amount=Decimal(amount),
            sold_on=SOLD_ON,
            reference=reference,
            supply=[(a, Decimal("4")), (b, Decimal("6"))],
            actor=None,
        )
    outside_sales_reverse(reference="corrected", on=SOLD_ON + datetime.timedelta(days=5))
    return {
        **world,
        "partly": partly,
        "wholly": wholly,
        "partly_refund": partly_refund,
        "wholly_refund": wholly_refund,
        "sales": sales,
    }


def _income_check() -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("income_check", stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue() + str(exc)
    return 0, out.getvalue()


def _sql(statement: str, params=()) -> None:
    # Under the ORM, which refuses to change a ledger row: as a broken restore or a stray
    # script would.
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _entry(**filters) -> LedgerEntry:
    return LedgerEntry.objects.filter(**filters).order_by("pk").first()


def test_a_settled_world_has_zero_difference(settled):
    code, output = _income_check()

    assert code == 0, output
    assert "零差异" in output
    assert f"已检查台账记录 {LedgerEntry.objects.count()} 条" in output


@pytest.mark.parametrize(
    "column, source",
    [
        ("household_id", "line"),
        ("cooperative_id", "line"),
        ("line_id", "line"),
        ("payment_event_id", "line"),
        ("scheme_id", "line"),
        ("outside_sale_id", "outside"),
    ],
)
def test_an_entry_pointing_at_a_row_that_is_gone_is_named(settled, column, source):
    # Given an entry whose reference no longer exists (no foreign key stops that now)
    if source == "line":
        entry = _entry(line=settled["partly"].lines.get(), household__isnull=False)
    else:
        entry = _entry(outside_sale=settled["sales"]["kept"])
    _sql(f"UPDATE income_ledgerentry SET {column} = %s WHERE id = %s", [MISSING, entry.pk])  # noqa: S608

    # Then the check names the entry and the missing reference, and fails
    code, output = _income_check()
    assert code == 1
    assert f"台账记录 {entry.pk}：" in output and f" {MISSING} 不存在" in output


def test_a_line_movement_pointing_at_a_line_that_is_gone_is_named(settled):
    movement = LineMovement.objects.filter(line=settled["wholly"].lines.get()).first()
    _sql("UPDATE income_linemovement SET line_id = %s WHERE id = %s", [MISSING, movement.pk])

    code, output = _income_check()

    assert code == 1
    assert f"订单行入账变动 {movement.pk}：订单行 {MISSING} 不存在" in output


def test_an_entry_off_by_one_fen_names_its_event_and_line(settled):
    # Given a settlement entry one fen more than the allocation wrote
    line = settled["partly"].lines.get()
    entry = _entry(line=line, amount__gt=0)
    _sql("UPDATE income_ledgerentry SET amount = amount + 0.01 WHERE id = %s", [entry.pk])

    # Then the line's settlement no longer adds up: named with what it should be
    code, output = _income_check()
    net = LineMovement.objects.get(payment_event_id=entry.payment_event_id, line=line).net
    assert code == 1
    assert (
        f"支付事件 {entry.payment_event_id} 订单行 {line.pk}（结算）："
        f"台账记录合计 {net + Decimal('0.01')}，应为 {net}" in output
    )
    [difference] = ledger_integrity_check().differences
    assert (difference.expected, difference.found) == (net, net + Decimal("0.01"))
    # and the restore check reports the same
    assert str(difference) in restore_check().differences


def test_an_outside_sale_entry_off_by_one_fen_names_the_sale(settled):
    sale = settled["sales"]["kept"]
    _sql(
        "UPDATE income_ledgerentry SET amount = amount - 0.01 WHERE id = %s",
        [_entry(outside_sale=sale).pk],
    )

    code, output = _income_check()

    assert code == 1
    assert f"线下销售 {sale.pk}：入账合计 99.99，应为 100.00" in output


def test_a_refund_entry_turned_positive_is_named(settled):
    refund = settled["partly_refund"]
    entry = _entry(payment_event=refund)
    _sql("UPDATE income_ledgerentry SET amount = -amount WHERE id = %s", [entry.pk])

    code, output = _income_check()

    assert code == 1
    assert f"台账记录 {entry.pk}（支付事件 {refund.pk} 订单行 {entry.line_id}）" in output
    assert "应为负数" in output


def test_a_refund_reversing_more_than_a_share_booked_is_named(settled):
    # Given a full refund whose reversal takes a fen from one share to another: the
    # refund still adds up and every entry is negative, but one share goes below zero
    refund = settled["wholly_refund"]
    first, second = LedgerEntry.objects.filter(payment_event=refund).order_by("pk")[:2]
    _sql("UPDATE income_ledgerentry SET amount = amount - 0.01 WHERE id = %s", [first.pk])
    _sql("UPDATE income_ledgerentry SET amount = amount + 0.01 WHERE id = %s", [second.pk])

    # Then exactly that share is named
    code, output = _income_check()
    assert code == 1
    [difference] = ledger_integrity_check().differences
    assert (difference.line_id, difference.household_id, difference.kind) == (
        first.line_id,
        first.household_id,
        first.kind,
    )
    assert difference.balance == Decimal("-0.01")
    assert f"订单行 {first.line_id} 农户 {first.household_id or '合作社'}" in output
    assert "冲销超过入账，余额 -0.01" in output


def test_a_correction_that_does_not_reverse_exactly_what_the_sale_booked_is_named(settled):
    # Given a corrected sale whose reversal moved a fen between two households' shares
    sale = settled["sales"]["corrected"]
    first, second = LedgerEntry.objects.filter(outside_sale=sale, amount__lt=0).order_by("pk")[:2]
    _sql("UPDATE income_ledgerentry SET amount = amount - 0.01 WHERE id = %s", [first.pk])
    _sql("UPDATE income_ledgerentry SET amount = amount + 0.01 WHERE id = %s", [second.pk])

    code, output = _income_check()

    assert code == 1
    assert f"线下销售 {sale.pk} 农户 {first.household_id or '合作社'}" in output
    assert "冲销后余额 -0.01，应为 0" in output
    assert "冲销后余额 0.01，应为 0" in output


def test_a_reversal_of_a_sale_never_corrected_is_named(settled):
    # Given negative entries on a sale that has no reversal
    sale = settled["sales"]["kept"]
    entry = _entry(outside_sale=sale)
    _sql(
        "INSERT INTO income_ledgerentry (household_id, cooperative_id, outside_sale_id, kind, "
        "amount, scheme_id, booked_on, created_at) SELECT household_id, cooperative_id, "
        "outside_sale_id, kind, -amount, scheme_id, booked_on, created_at "
        "FROM income_ledgerentry WHERE id = %s",
        [entry.pk],
    )

    code, output = _income_check()

    assert code == 1
    assert f"线下销售 {sale.pk}：冲销合计 {-entry.amount}，应为 0.00" in output


def test_the_orm_still_refuses_to_delete_what_an_entry_names(settled):
    # The foreign keys left the database, not Django: PROTECT still holds.
    household = _entry(outside_sale__isnull=True, household__isnull=False).household
    with pytest.raises(ProtectedError) as refused:
        household.delete()
    assert any(isinstance(row, LedgerEntry) for row in refused.value.protected_objects)


def test_the_nightly_check_is_scheduled_and_logs_each_difference(settled, caplog):
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert ledger_integrity_check_task.name in scheduled
    assert ledger_integrity_check_task.name in current_app.tasks
    entry = _entry(line__isnull=False)
    _sql("UPDATE income_ledgerentry SET cooperative_id = %s WHERE id = %s", [MISSING, entry.pk])

    with caplog.at_level(logging.ERROR, logger="producers.income.integrity"):
        found = ledger_integrity_check_task()

    assert found == 1
    assert any(f"台账记录 {entry.pk}：" in record.getMessage() for record in caplog.records)
