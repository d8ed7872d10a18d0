"""Reads of the income ledger for buyers, the CMS and evaluation. Each selector runs a
fixed number of queries whatever the number of lines."""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import NamedTuple

from django.db import connection
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone
from oscar.core.loading import get_model

from core.money import to_yuan
from producers.models import Household

from .balances import overdue_days
from .models import LedgerEntry, Payout

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


class Reach(NamedTuple):
    """Households driven and their registered members (家庭人口)."""

    households: int
    people: int


def households_reached_and_driven(
    *, order_lines: QuerySet | Iterable, minimum: Decimal
) -> tuple[int, Reach]:
    """For one set of order lines taken together: the households reached (as
    households_reached() counts them: net above zero) and, of them, the households driven
    with their registered members (net at least `minimum` yuan, as households_driven_by_group
    counts them). A household is counted once however many of the lines pay it, so its
    income is the sum over all of them. One query."""
    driven = Q(net__gte=minimum)
    totals = (
        _household_balances(order_lines)
        .annotate(size=Max("household__size"))
        .aggregate(
            reached=Count("household"),
            households=Count("household", filter=driven),
            people=Sum("size", filter=driven),
        )
    )
    return totals["reached"] or 0, Reach(totals["households"] or 0, totals["people"] or 0)


def households_reached_by_group(*, line_groups: QuerySet) -> dict:
    """{group: households reached} for order lines in groups: `line_groups` is a .values()
    queryset with the columns group_key and line_key (a line may be in several groups, and
    listed more than once in one).
    Per group, the distinct households whose ledger entries for the group's lines add up
    to more than zero, as households_reached() counts them. One query for any number of
    groups."""
    return {
        group: reach.households
        for group, reach in households_driven_by_group(line_groups=line_groups).items()
    }


def households_driven_by_group(
    *, line_groups: QuerySet, minimum: Decimal | None = None
) -> dict[object, Reach]:
    """{group: Reach(households, people)} for order lines in groups (`line_groups` as for
    households_reached_by_group): per group, the distinct households whose ledger entries
    for the group's lines add up to more than zero and to at least `minimum` (yuan; None:
    any fen), and the sum of their registered members (the household's size as the
    register holds it now). Groups driving no one are left out. One query for any number
    of groups."""
    groups_sql, params = line_groups.order_by().query.sql_with_params()
    quote = connection.ops.quote_name
    entries = quote(LedgerEntry._meta.db_table)
    line = quote(LedgerEntry._meta.get_field("line").column)
    household = quote(LedgerEntry._meta.get_field("household").column)
    amount = quote(LedgerEntry._meta.get_field("amount").column)
    households = quote(Household._meta.db_table)
    size = quote(Household._meta.get_field("size").column)
    household_id = quote(Household._meta.pk.column)
    # Identifiers quoted by Django from the model; values are parameters.
    sql = (
        f"SELECT reached.group_key, COUNT(*), SUM(h.{size}) FROM ("  # noqa: S608
        f"SELECT g.group_key, e.{household} AS household_key FROM {entries} e "
        f"JOIN (SELECT DISTINCT s.group_key, s.line_key FROM ({groups_sql}) s) g "
        f"ON e.{line} = g.line_key "
        f"WHERE e.{household} IS NOT NULL "
        f"GROUP BY g.group_key, e.{household} "
        f"HAVING SUM(e.{amount}) > 0 AND SUM(e.{amount}) >= CAST(%s AS NUMERIC)"
        f") reached JOIN {households} h ON h.{household_id} = reached.household_key "
        f"GROUP BY reached.group_key"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, minimum or ZERO])
        return {group: Reach(int(count), int(people)) for group, count, people in cursor.fetchall()}


def households_driven_gain(
    *, line_ids: QuerySet, event_lines: Iterable, payment_event_id: int, minimum: Decimal
) -> Reach:
    """How many more households (and registered members) the order lines `line_ids` (a
    one-column .values() queryset of line ids) drive with the ledger entries of one payment
    event (on `event_lines`) than without them, counted as households_driven_by_group
    counts them with this `minimum`; negative when a refund takes a household below it.
    Reads only the event's households, so it costs the same whatever the number of
    lines. One query."""
    return driven_gain_count(
        rows=driven_gain_rows(
            line_ids=line_ids, event_lines=event_lines, payment_event_id=payment_event_id
        ),
        minimum=minimum,
    )


def driven_gain_rows(*, line_ids: QuerySet, event_lines: Iterable, payment_event_id: int):
    """The query of households_driven_gain: (household size, net income over `line_ids`
    now, the event's part of it) for each household the event's entries on `event_lines`
    reach; a `.values_list()` queryset, so that a caller running it on every settlement
    can keep it compiled (core.statements)."""
    touched = LedgerEntry.objects.filter(
        line__in=_line_ids(event_lines),
        payment_event_id=payment_event_id,
        household__isnull=False,
    ).values("household")
    return (
        LedgerEntry.objects.filter(household__in=touched, line__in=line_ids)
        .values("household", "household__size")
        .annotate(
            now=Sum("amount"), event=Sum("amount", filter=Q(payment_event_id=payment_event_id))
        )
        .values_list("household__size", "now", "event")
    )


def driven_gain_count(*, rows: Iterable[tuple], minimum: Decimal) -> Reach:
    """households_driven_gain's count from driven_gain_rows' rows."""

    def driven(net) -> bool:
        return net > 0 and net >= minimum

    households = people = 0
    for size, now, event in rows:
        gain = int(driven(now)) - int(driven(now - (event or 0)))
        households += gain
        people += gain * size
    return Reach(households, people)


def attributed_total(*, order_lines: QuerySet | Iterable) -> Decimal:
    """Net amount the ledger attributes to households (not the cooperative's remainder)
    for these order lines, in yuan. One query."""
    total = LedgerEntry.objects.filter(
        line__in=_line_ids(order_lines), household__isnull=False
    ).aggregate(total=Sum("amount"))["total"]
    return to_yuan(total or ZERO)


def _yuan(value) -> Decimal:
    """A sum read by raw SQL: Decimal on PostgreSQL, a number on SQLite."""
    return to_yuan(value if isinstance(value, Decimal | int) else str(value or 0))


def _line_household_income(line_ids: list[int]) -> list[tuple]:
    """(line, household, cooperative, net, booked_on, earlier) for each household with
    ledger entries on these lines: `net` is what the line attributes to the household,
    `booked_on` when it was first booked, and `earlier` the household's positive income
    from the same cooperative on lines (or sales outside the store, each its own part)
    booked before it (the income its payouts settle first). One query: a window over the
    households' entries at their cooperatives."""
    if not line_ids:
        return []
    quote = connection.ops.quote_name
    entries = quote(LedgerEntry._meta.db_table)
    line, household, cooperative, amount, booked, outside = (
        quote(LedgerEntry._meta.get_field(name).column)
        for name in ("line", "household", "cooperative", "amount", "booked_on", "outside_sale")
    )
    marks = ", ".join(["%s"] * len(line_ids))
    # Identifiers quoted by Django from the model; values are parameters.
    sql = (
        f"SELECT r.line_key, r.household_key, r.cooperative_key, r.net, r.booked, r.earlier "  # noqa: S608
        f"FROM (SELECT e.{line} AS line_key, e.{household} AS household_key, "
        f"e.{cooperative} AS cooperative_key, SUM(e.{amount}) AS net, "
        f"MIN(e.{booked}) AS booked, "
        f"COALESCE(SUM(CASE WHEN SUM(e.{amount}) > 0 THEN SUM(e.{amount}) ELSE 0 END) "
        f"OVER (PARTITION BY e.{household}, e.{cooperative} "
        f"ORDER BY MIN(e.{booked}), e.{line}, e.{outside} "
        f"ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS earlier "
        f"FROM {entries} e "
        f"WHERE e.{household} IN (SELECT {household} FROM {entries} "
        f"WHERE {line} IN ({marks}) AND {household} IS NOT NULL) "
        f"AND e.{cooperative} IN (SELECT {cooperative} FROM {entries} WHERE {line} IN ({marks})) "
        f"GROUP BY e.{line}, e.{outside}, e.{household}, e.{cooperative}) r "
        f"WHERE r.line_key IN ({marks})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*line_ids, *line_ids, *line_ids])
        rows = cursor.fetchall()
    return [
        (line_id, household_id, cooperative_id, _yuan(net), _date(booked_on), _yuan(earlier))
        for line_id, household_id, cooperative_id, net, booked_on, earlier in rows
    ]


def _date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


def _covered(*, payouts: list[tuple], earlier: Decimal, net: Decimal):
    """How much of an income of `net` after `earlier` income the payouts [(paid_on,
    amount)] in order settle (the oldest income first), and the date of the last payout
    that went into it."""
    if net <= 0:
        return ZERO, None
    paid_before, last = ZERO, None
    for paid_on, amount in payouts:
        if paid_before >= earlier + net:
            break
        paid_before += amount
        if paid_before > earlier:
            last = paid_on
    return min(max(paid_before - earlier, ZERO), net), last


def order_lines_income(
    *, lines: QuerySet | Iterable, on: datetime.date | None = None
) -> dict[int, dict]:
    """What each order line attributed to households and how much of it their cooperative
    has paid them. For each line id with income: {"attributed", "paid", "owed", "overdue"
    (Decimal yuan), "households_reached" (int), "booked_on" (date the income was first
    booked), "payout_due_on" (the day what is still owed becomes overdue,
    INCOME_PAYOUT_OVERDUE_DAYS after booking), "last_paid_on" (date of the latest payout
    that went into it, or None)}.

    Payouts are not made per order line: a household's payouts from a cooperative settle
    its oldest income first (as household_balances counts them), so a line's share is paid
    once the household's payouts cover the income booked before it and the line's own.
    No household is named. `lines`: order lines or their ids. Two queries for any number
    of lines."""
    on = on or timezone.localdate()
    rows = _line_household_income([getattr(line, "pk", line) for line in lines])
    if not rows:
        return {}
    payouts = defaultdict(list)
    for household_id, cooperative_id, paid_on, amount in (
        Payout.objects.filter(
            household_id__in={row[1] for row in rows},
            cooperative_id__in={row[2] for row in rows},
        )
        .order_by("paid_on", "id")
        .values_list("household_id", "cooperative_id", "paid_on", "amount")
    ):
        payouts[household_id, cooperative_id].append((paid_on, amount))
    days = overdue_days()
    income = {}
    for line_id, household_id, cooperative_id, net, booked_on, earlier in rows:
        item = income.setdefault(
            line_id,
            {
                "attributed": ZERO,
                "paid": ZERO,
                "owed": ZERO,
                "overdue": ZERO,
                "households_reached": 0,
                "booked_on": booked_on,
                "payout_due_on": None,
                "last_paid_on": None,
            },
        )
        paid, last = _covered(
            payouts=payouts[household_id, cooperative_id], earlier=earlier, net=net
        )
        item["attributed"] += net
        item["paid"] += paid
        item["owed"] += max(net, ZERO) - paid
        item["booked_on"] = min(item["booked_on"], booked_on)
        if net > 0:
            item["households_reached"] += 1
        if last and (item["last_paid_on"] is None or last > item["last_paid_on"]):
            item["last_paid_on"] = last
    for item in income.values():
        item["payout_due_on"] = item["booked_on"] + datetime.timedelta(days=days)
        if item["owed"] > 0 and item["payout_due_on"] <= on:
            item["overdue"] = item["owed"]
    return income


def order_lines_trace(*, lines: QuerySet | Iterable) -> dict[int, dict]:
    """For each order line id: {"county": Region | None, "cooperative": Cooperative | None,
    "trace_code": str | None} and the figures of order_lines_income() (zero for a line
    with no income yet: households_reached, attributed, paid, owed, overdue, booked_on,
    payout_due_on, last_paid_on). No personal data: fit for the public trace page. Three
    queries for any number of lines."""
    Line = get_model("order", "Line")
    rows = Line.objects.filter(pk__in=_line_ids(lines)).select_related(
        "cooperative__county", "trace"
    )
    trace = {
        line.pk: {
            "county": line.cooperative.county if line.cooperative_id else None,
            "cooperative": line.cooperative,
            "trace_code": line.trace.code if hasattr(line, "trace") else None,
            "households_reached": 0,
            "attributed": ZERO,
            "paid": ZERO,
            "owed": ZERO,
            "overdue": ZERO,
            "booked_on": None,
            "payout_due_on": None,
            "last_paid_on": None,
        }
        for line in rows
    }
    for line_id, income in order_lines_income(lines=list(trace)).items():
        trace[line_id].update(income)
    return trace
