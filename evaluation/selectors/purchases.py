"""What buyers bought, as the public site shows it (home and county figures, rankings,
thank-you certificates, the public scorecard summary), read from the store's payment
events; and the same figures of a whole year at once, which locking a year stores
(LockedFigure) so that the public site reads a locked year from there.

Settled purchases are order lines of paid orders (an Oscar PaymentEvent of kind PAID),
less what was refunded of them (kind REFUND), each valued at the money its payment events
carry for the line (`PaymentEventQuantity.amount`, after discounts; a refund made in
Stripe's dashboard names its lines too, with no units: see marketplace/payment/events.py).
Never prices recomputed. A year is the order's year, Beijing time.

The public pages (cms) read through these; they live here, below cms, because the lock
(evaluation) computes what it stores with them: one definition for the live figure and
the stored one, so that locking a year changes no figure by itself."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Case,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, ExtractYear
from oscar.core.loading import get_model

from core.money import to_yuan
from marketplace.payment.events import PAID, REFUND
from producers.income.selectors import households_reached, households_reached_by_group

from ..models import EvaluationYear, Pairing
from ..models.facts import LockedFigure

Line = get_model("order", "Line")
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=14, decimal_places=2)
Scope = LockedFigure.Scope


def _moved(code: str, column: str, output_field) -> Coalesce:
    """The sum of `column` (quantity or amount) over the line's payment events of `code`."""
    rows = (
        PaymentEventQuantity.objects.filter(line=OuterRef("pk"), event__event_type__code=code)
        .order_by()
        .values("line")
        .annotate(total=Sum(column))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=output_field), Value(0, output_field))


def settled_lines(*, year: int | None = None) -> QuerySet:
    """Order lines with a settled payment, annotated with `settled_quantity` and
    `settled_amount` (yuan paid less refunded, as the payment events carry it). `year` is
    the order's year, Beijing time."""
    lines = (
        Line.objects.annotate(
            paid_quantity=_moved(PAID, "quantity", IntegerField()),
            refunded_quantity=_moved(REFUND, "quantity", IntegerField()),
        )
        .filter(paid_quantity__gt=0)
        .annotate(settled_quantity=F("paid_quantity") - F("refunded_quantity"))
        .annotate(
            settled_amount=ExpressionWrapper(
                _moved(PAID, "amount", MONEY) - _moved(REFUND, "amount", MONEY),
                output_field=MONEY,
            )
        )
    )
    if year is not None:
        lines = lines.filter(order__date_placed__year=year)
    return lines


def lines_total(lines: QuerySet) -> Decimal:
    total = lines.order_by().aggregate(total=Sum("settled_amount"))["total"]
    return to_yuan(total or ZERO)


def paid_net() -> Sum:
    """Sum over the lines of payment events: paid amounts less refunded amounts."""
    return Sum(
        Case(
            When(event__event_type__code=PAID, then=F("amount")),
            When(event__event_type__code=REFUND, then=-F("amount")),
            default=Value(ZERO),
            output_field=MONEY,
        )
    )


def settled_events(*, year: int) -> QuerySet:
    """The line amounts of settlements and refunds of orders placed in `year` (Beijing
    time)."""
    return PaymentEventQuantity.objects.filter(
        event__order__date_placed__year=year, event__event_type__code__in=(PAID, REFUND)
    ).order_by()


def year_locks(*, year: int) -> dict[int, datetime.datetime]:
    """{year: when it was locked} of the locked years up to `year` whose figures the lock
    stored. One query: what a public figure asks first (is its year locked, does it take
    adjustments). A year locked before locks stored them is read live, like an open
    year, and passes no adjustments on: its live figures still hold them."""
    stored = LockedFigure.objects.filter(scope=Scope.YEAR).values("year")
    return dict(
        EvaluationYear.objects.filter(
            year__lte=year, locked_at__isnull=False, year__in=stored
        ).values_list("year", "locked_at")
    )


def adjustments(*, year: int, locks: dict | None = None) -> QuerySet:
    """The line amounts of payments and refunds recorded, after their year was locked, for
    orders of the locked years just before `year` (an open year): the public site counts
    them in `year`, as evaluation counts their facts in the next open year, since a locked
    year's figures never move. Nothing (an empty queryset) when `year` is locked or follows
    no locked year. `locks`: year_locks(year=year), if the caller has it."""
    locked = year_locks(year=year) if locks is None else locks
    after_lock, earlier = Q(), year - 1
    if year in locked:
        return PaymentEventQuantity.objects.none()
    while earlier in locked:
        after_lock |= Q(
            event__order__date_placed__year=earlier, event__date_created__gt=locked[earlier]
        )
        earlier -= 1
    if earlier == year - 1:
        return PaymentEventQuantity.objects.none()
    return PaymentEventQuantity.objects.filter(
        after_lock, event__event_type__code__in=(PAID, REFUND)
    ).order_by()


def adjusted(amount: Decimal, moved: QuerySet) -> Decimal:
    """`amount` plus the net of the adjustments `moved` (a filtered adjustments() queryset);
    no query when there are none."""
    if moved.query.is_empty():
        return amount
    return to_yuan(amount + (moved.aggregate(net=paid_net())["net"] or ZERO))


def adjustments_by(*, year: int, key: str, locks: dict | None = None) -> dict:
    """{value of `key` (a lookup from the payment event line): net adjustment} for `year`
    (see adjustments()); {} without a query when there are none."""
    moved = adjustments(year=year, locks=locks)
    if moved.query.is_empty():
        return {}
    return dict(moved.values_list(key).annotate(net=paid_net()))


# --- The public scorecard summary -------------------------------------------------------


@dataclass
class PairingPurchases:
    pairing: Pairing
    by_year: dict[int, Decimal] = field(default_factory=dict)
    from_east_by_year: dict[int, Decimal] = field(default_factory=dict)


# An adjustment's line's county and the order's organisation's home region, each with the
# two regions above it (as the settled lines' rows of pairing_purchases_live).
_ADJUSTED_BY = (
    "line__cooperative__county_id",
    "line__cooperative__county__parent_id",
    "line__cooperative__county__parent__parent_id",
    "event__order__organisation__home_region_id",
    "event__order__organisation__home_region__parent_id",
    "event__order__organisation__home_region__parent__parent_id",
)


def pairing_purchases_live(*, years: list[int]) -> list[PairingPurchases]:
    """Settled purchases from each pairing's western region per year, and the part bought
    by organisations of its eastern region, from the store's payment events as they are
    now, with the adjustments the year takes from locked years before it. Aggregates
    only."""
    pairings = list(
        Pairing.objects.select_related("east_region", "west_region").order_by("kind", "pk")
    )
    result = [PairingPurchases(pairing=p) for p in pairings]
    if not years:
        return result
    rows = (
        settled_lines()
        .filter(order__date_placed__year__in=years)
        .annotate(year=ExtractYear("order__date_placed"))
        .order_by()
        .values(
            "year",
            "cooperative__county_id",
            "cooperative__county__parent_id",
            "cooperative__county__parent__parent_id",
            "order__organisation__home_region_id",
            "order__organisation__home_region__parent_id",
            "order__organisation__home_region__parent__parent_id",
        )
        .annotate(amount=Sum("settled_amount"))
    )
    rows = list(rows)
    locks = year_locks(year=max(years))
    for year in years:  # what came after the lock of the years just before
        moved = adjustments(year=year, locks=locks)
        if moved.query.is_empty():
            continue
        for row in moved.values(*_ADJUSTED_BY).annotate(amount=paid_net()):
            rows.append(
                {
                    "year": year,
                    "amount": row["amount"],
                    **{key.split("__", 1)[1]: row[key] for key in _ADJUSTED_BY},
                }
            )
    for row in rows:
        west = {
            row["cooperative__county_id"],
            row["cooperative__county__parent_id"],
            row["cooperative__county__parent__parent_id"],
        }
        east = {
            row["order__organisation__home_region_id"],
            row["order__organisation__home_region__parent_id"],
            row["order__organisation__home_region__parent__parent_id"],
        } - {None}
        amount = to_yuan(row["amount"] or ZERO)
        for item in result:
            if item.pairing.west_region_id not in west:
                continue
            year = row["year"]
            item.by_year[year] = item.by_year.get(year, ZERO) + amount
            if item.pairing.east_region_id in east:
                item.from_east_by_year[year] = item.from_east_by_year.get(year, ZERO) + amount
    return result


# --- A whole year, as locking stores it -------------------------------------------------


def locked_figures_compute(*, year: int) -> list[LockedFigure]:
    """Every public figure of `year` from the store and the ledger as they are now, unsaved:
    what year_lock stores. The same sums as the live readers (cms.selectors), grouped: the
    year, each county, each organisation, each person buying for themselves, each pairing.
    A fixed number of queries whatever the number of buyers."""
    lines = settled_lines(year=year)
    locks = year_locks(year=year)
    figures = [
        LockedFigure(
            scope=Scope.YEAR,
            amount=adjusted(lines_total(lines), adjustments(year=year, locks=locks)),
            households=households_reached(order_lines=lines),
        )
    ]
    # Counties: where the lines' cooperatives are.
    by_county = lines.exclude(cooperative__county__isnull=True).order_by()
    amounts = dict(
        by_county.values_list("cooperative__county_id").annotate(total=Sum("settled_amount"))
    )
    _add(amounts, adjustments_by(year=year, key="line__cooperative__county_id", locks=locks))
    reached = households_reached_by_group(
        line_groups=by_county.values(group_key=F("cooperative__county_id"), line_key=F("pk"))
    )
    figures += [
        LockedFigure(
            scope=Scope.COUNTY,
            county_id=county_id,
            amount=to_yuan(amount or ZERO),
            households=reached.get(county_id, 0),
        )
        for county_id, amount in amounts.items()
    ]
    # Buyers: an organisation's orders (any of its buyers'), a person's own orders.
    buyers = (
        (Scope.ORGANISATION, "organisation", lines.filter(order__organisation__isnull=False)),
        (
            Scope.PERSON,
            "user",
            lines.filter(order__organisation__isnull=True, order__user__isnull=False),
        ),
    )
    for scope, who, of_buyers in buyers:
        key = f"order__{who}_id"
        events = settled_events(year=year).filter(
            **{f"event__{key}__isnull": False},
            **({"event__order__organisation__isnull": True} if who == "user" else {}),
        )
        amounts = dict(events.values_list(f"event__{key}").annotate(amount=paid_net()))
        moved = adjustments(year=year, locks=locks).filter(
            **{f"event__{key}__isnull": False},
            **({"event__order__organisation__isnull": True} if who == "user" else {}),
        )
        if not moved.query.is_empty():
            _add(amounts, dict(moved.values_list(f"event__{key}").annotate(net=paid_net())))
        reached = households_reached_by_group(
            line_groups=of_buyers.order_by().values(group_key=F(key), line_key=F("pk"))
        )
        counties = defaultdict(set)
        for buyer_id, county_id in (
            of_buyers.filter(settled_quantity__gt=0, cooperative__county__isnull=False)
            .order_by()
            .values_list(key, "cooperative__county_id")
            .distinct()
        ):
            counties[buyer_id].add(county_id)
        figures += [
            LockedFigure(
                scope=scope,
                **{f"{who}_id": buyer_id},
                amount=to_yuan(amount or ZERO),
                households=reached.get(buyer_id, 0),
                counties=sorted(counties[buyer_id]),
            )
            for buyer_id, amount in amounts.items()
        ]
    # Pairings: the public scorecard summary's row of the year.
    for row in pairing_purchases_live(years=[year]):
        if year in row.by_year:
            figures.append(
                LockedFigure(
                    scope=Scope.PAIRING,
                    pairing=row.pairing,
                    amount=row.by_year[year],
                    amount_from_east=row.from_east_by_year.get(year),
                )
            )
    for figure in figures:
        figure.year = year
    return figures


def _add(amounts: dict, moved: dict) -> None:
    for key, net in moved.items():
        if key is not None:
            amounts[key] = (amounts.get(key) or ZERO) + (net or ZERO)


def locked_figures(
    *, year: int, scopes: dict[str, Q] | None = None, locks: dict | None = None
) -> dict | None:
    """A locked year's stored figures, or None if `year` is not locked (its lock stores
    the row of scope `year`, always). `scopes`: {scope: condition on that scope's rows};
    answers {scope: [LockedFigure]}, each with its organisation and user. One query, none
    when `locks` (year_locks(year=year)) says the year is open."""
    if locks is not None and year not in locks:
        return None
    wanted = Q(scope=Scope.YEAR)
    for scope, condition in (scopes or {}).items():
        wanted |= Q(scope=scope) & condition
    found = defaultdict(list)
    for row in LockedFigure.objects.filter(wanted, year=year).select_related(
        "organisation", "user"
    ):
        found[row.scope].append(row)
    if not found[Scope.YEAR]:
        return None
    return found


def locked_ranking(*, year: int, scope: str, condition: Q, name: str, limit: int) -> list:
    """A locked year's buyers of `scope` meeting `condition`, by stored amount, largest
    first, then by `name` (as the live ranking orders them). One query."""
    return list(
        LockedFigure.objects.filter(condition, year=year, scope=scope, amount__gt=0)
        .select_related("organisation", "user")
        .order_by("-amount", name, "pk")[:limit]
    )
