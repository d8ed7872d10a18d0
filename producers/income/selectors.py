"""Reads of the income ledger for buyers, the CMS and evaluation. Each selector runs a
fixed number of queries whatever the number of lines."""

from collections.abc import Iterable
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from oscar.core.loading import get_model

from producers.money import to_yuan

from .models import LedgerEntry

ZERO = Decimal("0.00")


def _line_ids(order_lines) -> QuerySet | list[int]:
    """Order lines as a queryset of ids (kept lazy: a subquery) or a list of ids."""
    if isinstance(order_lines, QuerySet):
        return order_lines.values("pk")
    return [getattr(line, "pk", line) for line in order_lines]


def _household_balances(order_lines) -> QuerySet:
    """Net amount per household over the lines, households whose net is positive."""
    return (
        LedgerEntry.objects.filter(line__in=_line_ids(order_lines), household__isnull=False)
        .values("household")
        .annotate(net=Sum("amount"))
        .filter(net__gt=0)
    )


def households_reached(*, order_lines: QuerySet | Iterable) -> int:
    """Distinct households whose ledger entries for these order lines add up to more than
    zero (a fully refunded purchase reaches no one). One query."""
    return _household_balances(order_lines).aggregate(n=Count("household"))["n"] or 0


def households_reached_by_group(*, line_groups: QuerySet) -> dict:
    """{group: households reached} for order lines in groups: `line_groups` is a .values()
    queryset with the columns group_key and line_key (a line may be in several groups, and
    listed more than once in one).
    Per group, the distinct households whose ledger entries for the group's lines add up
    to more than zero, as households_reached() counts them. One query for any number of
    groups."""
    groups_sql, params = line_groups.order_by().query.sql_with_params()
    quote = connection.ops.quote_name
    entries = quote(LedgerEntry._meta.db_table)
    line = quote(LedgerEntry._meta.get_field("line").column)
    household = quote(LedgerEntry._meta.get_field("household").column)
    amount = quote(LedgerEntry._meta.get_field("amount").column)
    # Identifiers quoted by Django from the model; values are parameters of the subquery.
    sql = (
        f"SELECT reached.group_key, COUNT(*) FROM ("  # noqa: S608
        f"SELECT g.group_key, e.{household} FROM {entries} e "
        f"JOIN (SELECT DISTINCT s.group_key, s.line_key FROM ({groups_sql}) s) g "
        f"ON e.{line} = g.line_key "
        f"WHERE e.{household} IS NOT NULL "
        f"GROUP BY g.group_key, e.{household} HAVING SUM(e.{amount}) > 0"
        f") reached GROUP BY reached.group_key"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return dict(cursor.fetchall())


def households_reached_gain(
    *, line_ids: QuerySet, event_lines: Iterable, payment_event_id: int
) -> int:
    """How many more households the order lines `line_ids` (a one-column .values()
    queryset of line ids) reach with the ledger entries of one payment event (on
    `event_lines`) than without them; negative for a refund. Reads only the event's
    households, so it costs the same whatever the number of lines. One query."""
    touched = LedgerEntry.objects.filter(
        line__in=_line_ids(event_lines),
        payment_event_id=payment_event_id,
        household__isnull=False,
    ).values("household")
    rows = (
        LedgerEntry.objects.filter(household__in=touched, line__in=line_ids)
        .values("household")
        .annotate(
            now=Sum("amount"), event=Sum("amount", filter=Q(payment_event_id=payment_event_id))
        )
        .values_list("now", "event")
    )
    return sum(int(now > 0) - int(now - (event or 0) > 0) for now, event in rows)


def attributed_total(*, order_lines: QuerySet | Iterable) -> Decimal:
    """Net amount the ledger attributes to households (not the cooperative's remainder)
    for these order lines, in yuan. One query."""
    total = LedgerEntry.objects.filter(
        line__in=_line_ids(order_lines), household__isnull=False
    ).aggregate(total=Sum("amount"))["total"]
    return to_yuan(total or ZERO)


def order_lines_trace(*, lines: QuerySet | Iterable) -> dict[int, dict]:
    """For each order line id: {"county": Region | None, "cooperative": Cooperative | None,
    "households_reached": int, "attributed": Decimal, "trace_code": str | None}. Two
    queries for any number of lines."""
    Line = get_model("order", "Line")
    ids = _line_ids(lines)
    rows = Line.objects.filter(pk__in=ids).select_related("cooperative__county", "trace")
    trace = {
        line.pk: {
            "county": line.cooperative.county if line.cooperative_id else None,
            "cooperative": line.cooperative,
            "households_reached": 0,
            "attributed": ZERO,
            "trace_code": line.trace.code if hasattr(line, "trace") else None,
        }
        for line in rows
    }
    balances = (
        LedgerEntry.objects.filter(line__in=list(trace), household__isnull=False)
        .values_list("line", "household")
        .annotate(net=Sum("amount"))
    )
    for line_id, _household_id, net in balances:
        trace[line_id]["attributed"] += net
        if net > 0:
            trace[line_id]["households_reached"] += 1
    for item in trace.values():
        item["attributed"] = to_yuan(item["attributed"])
    return trace
