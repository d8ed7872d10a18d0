"""Does the ledger hold together? Its rows have no database foreign keys (one check per row
was most of the allocation's time), so this is what proves, set-based over every row:

- every reference of every ledger entry and line movement exists;
- every settled or refunded line's entries add up to the net its movement records (a
  refund's negatively), and every sale outside the store's entries to its amount;
- every reversal matches what it reverses: a settlement's entries are positive and a
  refund's negative, no share of a line is reversed beyond what it booked, and a corrected
  outside sale's negative entries take back exactly what it booked, share by share.

That each entry is the exact share the rules give is the rebuild's proof
(`ledger_rebuild_compare`); this check needs no replay, so it runs nightly on every row.
`manage.py income_check`, the nightly task and the restore check read its report."""

import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.utils.translation import gettext as _

from .models import EntryKind, LedgerEntry, LineMovement, OutsideSale, OutsideSaleReversal
from .models import ProcessedEvent as Processed

logger = logging.getLogger(__name__)

LIMIT = 1000  # differences listed per check; the rest are only counted
FEN = Decimal("0.01")


def _yuan(value) -> Decimal:
    # SQLite sums decimals as floats: back to fen.
    return Decimal(str(value or 0)).quantize(FEN)


def _kind_label(kind: str | None) -> str:
    labels = {**dict(Processed.Kind.choices), **dict(EntryKind.choices)}
    return str(labels.get(kind, kind or "-"))


@dataclass(frozen=True)
class MissingReference:
    """A ledger row naming a row that does not exist."""

    table: str  # "ledgerentry" or "linemovement"
    row_id: int
    field: str
    target_id: int

    def __str__(self) -> str:
        labels = {"ledgerentry": _("台账记录"), "linemovement": _("订单行入账变动")}
        return _("%(table)s %(row)s：%(field)s %(target)s 不存在") % {
            "table": labels[self.table],
            "row": self.row_id,
            "field": LedgerEntry._meta.get_field(self.field).verbose_name,
            "target": self.target_id,
        }


@dataclass(frozen=True)
class UnbalancedLine:
    """A payment event's entries for an order line that do not add up to its movement's
    net (`kind` and `expected` are None when there is no movement at all)."""

    payment_event_id: int
    line_id: int
    kind: str | None
    expected: Decimal | None
    found: Decimal

    def __str__(self) -> str:
        values = {
            "event": self.payment_event_id,
            "line": self.line_id,
            "found": self.found,
            "expected": self.expected,
            "kind": _kind_label(self.kind),
        }
        if self.kind is None:
            return (
                _(
                    "支付事件 %(event)s 订单行 %(line)s：台账记录合计 %(found)s，"
                    "但该订单行没有这笔入账变动"
                )
                % values
            )
        return (
            _(
                "支付事件 %(event)s 订单行 %(line)s（%(kind)s）：台账记录合计 %(found)s，"
                "应为 %(expected)s"
            )
            % values
        )


@dataclass(frozen=True)
class UnbalancedOutsideSale:
    """A sale outside the store whose entries do not add up to its amount (`reversal`
    False), or whose negative entries do not take it all back (True) or exist without a
    reversal."""

    outside_sale_id: int
    reversal: bool
    expected: Decimal
    found: Decimal

    def __str__(self) -> str:
        values = {"sale": self.outside_sale_id, "found": self.found, "expected": self.expected}
        if self.reversal:
            return _("线下销售 %(sale)s：冲销合计 %(found)s，应为 %(expected)s") % values
        return _("线下销售 %(sale)s：入账合计 %(found)s，应为 %(expected)s") % values


@dataclass(frozen=True)
class WrongSign:
    """An entry of a settlement that is not positive, or of a refund that is not negative."""

    entry_id: int
    payment_event_id: int
    line_id: int
    kind: str
    amount: Decimal

    def __str__(self) -> str:
        if self.kind == Processed.Kind.REFUND:
            template = _(
                "台账记录 %(entry)s（支付事件 %(event)s 订单行 %(line)s）："
                "退款冲销金额 %(amount)s，应为负数"
            )
        else:
            template = _(
                "台账记录 %(entry)s（支付事件 %(event)s 订单行 %(line)s）："
                "结算入账金额 %(amount)s，应为正数"
            )
        return template % {
            "entry": self.entry_id,
            "event": self.payment_event_id,
            "line": self.line_id,
            "amount": self.amount,
        }


@dataclass(frozen=True)
class OverReversed:
    """One share (household or the cooperative's remainder, kind, scheme) of an order line
    or a corrected outside sale whose entries do not come back to what they should: below
    zero for a line (refunds took back more than was booked), not zero for a reversed
    outside sale."""

    line_id: int | None
    outside_sale_id: int | None
    household_id: int | None
    kind: str
    scheme_id: int | None
    balance: Decimal

    def __str__(self) -> str:
        values = {
            "line": self.line_id,
            "sale": self.outside_sale_id,
            "household": self.household_id or _("合作社"),
            "kind": _kind_label(self.kind),
            "scheme": self.scheme_id or "-",
            "balance": self.balance,
        }
        if self.line_id is not None:
            return (
                _(
                    "订单行 %(line)s 农户 %(household)s %(kind)s（方案 %(scheme)s）："
                    "冲销超过入账，余额 %(balance)s，应不小于 0"
                )
                % values
            )
        return (
            _(
                "线下销售 %(sale)s 农户 %(household)s %(kind)s（方案 %(scheme)s）："
                "冲销后余额 %(balance)s，应为 0"
            )
            % values
        )


@dataclass
class IntegrityReport:
    entries: int = 0
    movements: int = 0
    differences: list = field(default_factory=list)
    unlisted: int = 0  # found beyond LIMIT per check

    @property
    def count(self) -> int:
        return len(self.differences) + self.unlisted


def _table(model) -> str:
    # Names from the models' meta only: nothing in these queries comes from outside.
    return connection.ops.quote_name(model._meta.db_table)


def _fetch(report: IntegrityReport, sql: str, params: list, limit: int) -> list[tuple]:
    """Rows of `sql` (its last column `COUNT(*) OVER ()`) up to `limit`, the rest counted,
    sorted here: an ORDER BY over a whole table's scan would make PostgreSQL walk the
    primary key row by row instead of one hash anti-join (5x slower on a million entries)."""
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} LIMIT %s", [*params, limit])
        rows = cursor.fetchall()
    if rows:
        report.unlisted += rows[0][-1] - len(rows)
    return sorted(
        (row[:-1] for row in rows), key=lambda row: [(v is None, v or 0) for v in row[:2]]
    )


def _missing_references(report: IntegrityReport, limit: int) -> None:
    # NOT EXISTS: one anti-join per reference, never a lookup per row.
    for model in (LedgerEntry, LineMovement):
        for fk in model._meta.concrete_fields:
            if not fk.is_relation:
                continue
            target = fk.related_model
            sql = (
                f"SELECT r.id, r.{fk.column}, COUNT(*) OVER () FROM {_table(model)} r "  # noqa: S608
                f"WHERE r.{fk.column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "
                f"{_table(target)} t WHERE t.{fk.target_field.column} = r.{fk.column})"
            )
            for row_id, target_id in _fetch(report, sql, [], limit):
                report.differences.append(
                    MissingReference(model._meta.model_name, row_id, fk.name, target_id)
                )


def _unbalanced_lines(report: IntegrityReport, limit: int) -> None:
    # Movements and entries side by side in one aggregate; compared in fen (SQLite floats).
    sql = (
        "SELECT payment_event_id, line_id, MAX(kind), SUM(expected), SUM(booked), "  # noqa: S608
        "COUNT(*) OVER () FROM ("
        "  SELECT payment_event_id, line_id, kind, "
        "    CASE WHEN kind = %s THEN -net ELSE net END AS expected, 0 AS booked, 1 AS moved "
        f"  FROM {_table(LineMovement)} "
        "  UNION ALL "
        "  SELECT payment_event_id, line_id, NULL, 0, amount, 0 "
        f"  FROM {_table(LedgerEntry)} WHERE line_id IS NOT NULL"
        ") x GROUP BY payment_event_id, line_id "
        "HAVING MAX(moved) = 0 OR ROUND(SUM(expected) * 100) <> ROUND(SUM(booked) * 100) "
        "ORDER BY payment_event_id, line_id"
    )
    for event_id, line_id, kind, expected, found in _fetch(
        report, sql, [Processed.Kind.REFUND.value], limit
    ):
        report.differences.append(
            UnbalancedLine(event_id, line_id, kind, _yuan(expected) if kind else None, _yuan(found))
        )


def _unbalanced_outside_sales(report: IntegrityReport, limit: int) -> None:
    sql = (
        "SELECT s.id, s.amount, r.id IS NOT NULL, "  # noqa: S608
        "  COALESCE(SUM(CASE WHEN e.amount > 0 THEN e.amount END), 0), "
        "  COALESCE(SUM(CASE WHEN e.amount < 0 THEN e.amount END), 0), COUNT(*) OVER () "
        f"FROM {_table(OutsideSale)} s "
        f"LEFT JOIN {_table(OutsideSaleReversal)} r ON r.outside_sale_id = s.id "
        f"LEFT JOIN {_table(LedgerEntry)} e ON e.outside_sale_id = s.id "
        "GROUP BY s.id, s.amount, r.id "
        "HAVING ROUND(COALESCE(SUM(CASE WHEN e.amount > 0 THEN e.amount END), 0) * 100) "
        "  <> ROUND(s.amount * 100) "
        "OR ROUND(COALESCE(SUM(CASE WHEN e.amount < 0 THEN e.amount END), 0) * 100) "
        "  <> CASE WHEN r.id IS NULL THEN 0 ELSE -ROUND(s.amount * 100) END "
        "ORDER BY s.id"
    )
    for sale_id, amount, reversed_, booked, taken_back in _fetch(report, sql, [], limit):
        amount, booked, taken_back = _yuan(amount), _yuan(booked), _yuan(taken_back)
        if booked != amount:
            report.differences.append(UnbalancedOutsideSale(sale_id, False, amount, booked))
        expected_back = -amount if reversed_ else Decimal("0.00")
        if taken_back != expected_back:
            report.differences.append(
                UnbalancedOutsideSale(sale_id, True, expected_back, taken_back)
            )


def _wrong_signs(report: IntegrityReport, limit: int) -> None:
    sql = (
        "SELECT e.id, e.payment_event_id, e.line_id, p.kind, e.amount, COUNT(*) OVER () "  # noqa: S608
        f"FROM {_table(LedgerEntry)} e JOIN {_table(Processed)} p "
        "ON p.payment_event_id = e.payment_event_id "
        "WHERE (p.kind = %s AND e.amount <= 0) OR (p.kind = %s AND e.amount >= 0)"
    )
    params = [Processed.Kind.SETTLEMENT.value, Processed.Kind.REFUND.value]
    for entry_id, event_id, line_id, kind, amount in _fetch(report, sql, params, limit):
        report.differences.append(WrongSign(entry_id, event_id, line_id, kind, _yuan(amount)))


def _over_reversed(report: IntegrityReport, limit: int) -> None:
    # A line's share may only come down to zero; a reversed outside sale's comes to zero.
    entries = _table(LedgerEntry)
    lines = (
        "SELECT line_id, NULL, household_id, kind, scheme_id, SUM(amount), COUNT(*) OVER () "  # noqa: S608
        f"FROM {entries} WHERE line_id IS NOT NULL "
        "GROUP BY line_id, household_id, kind, scheme_id "
        "HAVING ROUND(SUM(amount) * 100) < 0 "
        "ORDER BY line_id, household_id, kind, scheme_id"
    )
    sales = (
        "SELECT NULL, e.outside_sale_id, e.household_id, e.kind, e.scheme_id, SUM(e.amount), "  # noqa: S608
        f"COUNT(*) OVER () FROM {entries} e JOIN {_table(OutsideSaleReversal)} r "
        "ON r.outside_sale_id = e.outside_sale_id "
        "GROUP BY e.outside_sale_id, e.household_id, e.kind, e.scheme_id "
        "HAVING ROUND(SUM(e.amount) * 100) <> 0 "
        "ORDER BY e.outside_sale_id, e.household_id, e.kind, e.scheme_id"
    )
    for sql in (lines, sales):
        for line_id, sale_id, household_id, kind, scheme_id, balance in _fetch(
            report, sql, [], limit
        ):
            report.differences.append(
                OverReversed(line_id, sale_id, household_id, kind, scheme_id, _yuan(balance))
            )


def ledger_integrity_check(*, limit: int = LIMIT) -> IntegrityReport:
    """Every difference between the ledger's rows and its invariants (see the module);
    changes nothing. At most `limit` are listed per check, the rest counted."""
    report = IntegrityReport(
        entries=LedgerEntry.objects.count(), movements=LineMovement.objects.count()
    )
    _missing_references(report, limit)
    _unbalanced_lines(report, limit)
    _unbalanced_outside_sales(report, limit)
    _wrong_signs(report, limit)
    _over_reversed(report, limit)
    return report


def ledger_integrity_alert() -> int:
    """The nightly run: every difference logged as an error (the alert), their number
    returned."""
    report = ledger_integrity_check()
    if report.count:
        logger.error("Income ledger check: %s difference(s)", report.count)
        for difference in report.differences:
            logger.error("Income ledger check: %s", difference)
    else:
        logger.info("Income ledger check: zero difference in %s entries", report.entries)
    return report.count
