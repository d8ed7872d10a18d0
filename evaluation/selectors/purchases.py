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

from ..models import Pairing
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


# --- The public scorecard summary -------------------------------------------------------


@dataclass
class PairingPurchases:
    pairing: Pairing
    by_year: dict[int, Decimal] = field(default_factory=dict)
    from_east_by_year: dict[int, Decimal] = field(default_factory=dict)


def pairing_purchases_live(*, years: list[int]) -> list[PairingPurchases]:
    """Settled purchases from each pairing's western region per year, and the part bought
    by organisations of its eastern region, from the store's payment events as they are
    now. Aggregates only."""
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
    figures = [
        LockedFigure(
            scope=Scope.YEAR,
            amount=lines_total(lines),
            households=households_reached(order_lines=lines),
        )
    ]
    # Counties: where the lines' cooperatives are.
    by_county = lines.exclude(cooperative__county__isnull=True).order_by()
    amounts = dict(
        by_county.values_list("cooperative__county_id").annotate(total=Sum("settled_amount"))
    )
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


def locked_figures(*, year: int, scopes: dict[str, Q] | None = None) -> dict | None:
    """A locked year's stored figures, or None if `year` is not locked (its lock stores
    the row of scope `year`, always). `scopes`: {scope: condition on that scope's rows};
    answers {scope: [LockedFigure]}, each with its organisation and user. One query."""
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
