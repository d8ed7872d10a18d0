"""Who benefits from a sale, read from the producers' records in a few bulk queries: the
scheme in force on the payment date and, per kind, each household's weight."""

import datetime
from bisect import bisect_right
from collections import defaultdict
from decimal import Decimal

from core.money import integer_weights
from producers.models import BenefitKind, BenefitLink, BenefitScheme, WageRecord

from ..models import SupplyLot
from .engine import LineInfo, Scheme, SplitPlan

# Wages are split by the work recorded in the year before the sale.
WAGE_WINDOW = datetime.timedelta(days=365)


class Benefits:
    def __init__(self, *, schemes, links, wage_days, lots):
        self.schemes = schemes  # cooperative id -> [Scheme], latest first
        self.links = links  # cooperative id -> [(household, kind, share, equity, start, end, id)]
        self.wage_days = wage_days  # link id -> [(period_start, period_end, days)]
        self.lots = (
            lots  # (cooperative id, product id) -> [(day, [(household, qty)])], latest first
        )
        self._cache = {}
        self._plans = {}
        self._changes = {}

    def scheme_on(self, cooperative_id: int, day: datetime.date) -> Scheme | None:
        for scheme in self.schemes.get(cooperative_id, ()):
            if scheme.effective_from <= day:
                return scheme
        return None

    def for_line(self, line: LineInfo, day: datetime.date):
        key = (line.cooperative_id, line.product_id, day)
        if key not in self._cache:
            self._cache[key] = self._compute(line.cooperative_id, line.product_id, day)
        return self._cache[key]

    def for_outside(self, cooperative_id: int, day: datetime.date, supply):
        """(scheme, weights) of a sale outside the store on `day`: the scheme and links as
        for a store line that day, produce supply split by the sale's own lot `supply`
        [(household id, quantity)] instead of the store's latest lot."""
        return self._compute(cooperative_id, None, day, supply=supply)

    def plan_for(self, line: LineInfo, day: datetime.date) -> SplitPlan:
        """The split plan of the line's cooperative and product on `day`, shared by every
        day on which nothing it depends on changes (see `_change_days`)."""
        cooperative_id, product_id = line.cooperative_id, line.product_id
        changes = self._changes.get((cooperative_id, product_id))
        if changes is None:
            changes = self._changes[(cooperative_id, product_id)] = self._change_days(
                cooperative_id, product_id
            )
        key = (cooperative_id, product_id, bisect_right(changes, day))
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = SplitPlan(*self._compute(cooperative_id, product_id, day))
        return plan

    def _change_days(self, cooperative_id, product_id) -> list[datetime.date]:
        """Sorted days on which `_compute` may answer differently from the day before: a
        scheme takes effect, a link starts or ends, a wage record enters or leaves the
        window, a supply lot is bought. Between two of them its answer is the same."""
        days = {scheme.effective_from for scheme in self.schemes.get(cooperative_id, ())}
        for _household, _kind, _share, _equity, start, end, link_id in self.links.get(
            cooperative_id, ()
        ):
            days.add(start)
            if end is not None:
                days.add(end + datetime.timedelta(days=1))
            for period_start, period_end, _days in self.wage_days.get(link_id, ()):
                days.add(period_start)
                days.add(period_end + WAGE_WINDOW + datetime.timedelta(days=1))
        days.update(lot_day for lot_day, _items in self.lots.get((cooperative_id, product_id), ()))
        return sorted(days)

    def _compute(self, cooperative_id, product_id, day, supply=None):
        scheme = self.scheme_on(cooperative_id, day)
        if scheme is None:
            return None, {}
        weights = defaultdict(lambda: defaultdict(Decimal))
        since = day - WAGE_WINDOW
        for household_id, kind, share, equity, start, end, link_id in self.links.get(
            cooperative_id, ()
        ):
            if start > day or (end is not None and end < day):
                continue
            if kind == BenefitKind.PRODUCE_SUPPLY and share:
                weights[kind][household_id] += share
            elif kind == BenefitKind.DIVIDEND and equity:
                weights[kind][household_id] += equity
            elif kind == BenefitKind.WAGE_LABOUR:
                for period_start, period_end, days in self.wage_days.get(link_id, ()):
                    if period_start <= day and period_end >= since and days > 0:
                        weights[kind][household_id] += days
        lots = (
            self.lots.get((cooperative_id, product_id), ()) if supply is None else [(day, supply)]
        )
        for lot_day, items in lots:
            if lot_day <= day:
                # The line was filled from the latest lot bought on or before the sale;
                # an empty lot leaves the registered supply shares.
                if items:
                    supply = defaultdict(Decimal)
                    for household_id, quantity in items:
                        supply[household_id] += quantity
                    weights[BenefitKind.PRODUCE_SUPPLY] = supply
                break
        return scheme, {kind: _as_integers(people) for kind, people in weights.items()}


def _as_integers(people: dict) -> list[tuple[int, int]]:
    """(household, weight) sorted by household, weights scaled to integers (same ratios) so
    that each split is pure integer arithmetic."""
    pairs = sorted((h, w) for h, w in people.items() if w > 0)
    return list(zip([h for h, _w in pairs], integer_weights([w for _h, w in pairs]), strict=True))


def benefits_load(*, cooperative_ids, product_ids, first_day, last_day) -> Benefits:
    cooperative_ids, product_ids = set(cooperative_ids), set(product_ids)
    schemes = defaultdict(list)
    # No ORDER BY anywhere (default orderings would join): everything is sorted or summed here.
    for row in (
        BenefitScheme.objects.filter(cooperative_id__in=cooperative_ids)
        .order_by()
        .values_list(
            "id",
            "cooperative_id",
            "effective_from",
            "produce_share",
            "wage_share",
            "dividend_share",
        )
    ):
        schemes[row[1]].append(Scheme(row[0], row[2], (row[3], row[4], row[5])))
    for versions in schemes.values():
        versions.sort(key=lambda s: s.effective_from, reverse=True)
    links = defaultdict(list)
    for row in (
        BenefitLink.objects.filter(cooperative_id__in=cooperative_ids)
        .order_by()
        .values_list(
            "cooperative_id",
            "household_id",
            "kind",
            "supply_share",
            "equity_shares",
            "started_on",
            "ended_on",
            "id",
        )
    ):
        links[row[0]].append(row[1:])
    wage_days = defaultdict(list)
    for link_id, start, end, days in (
        WageRecord.objects.filter(
            link__cooperative_id__in=cooperative_ids,
            period_end__gte=first_day - WAGE_WINDOW,
            period_start__lte=last_day,
        )
        .order_by()
        .values_list("link_id", "period_start", "period_end", "days_worked")
    ):
        wage_days[link_id].append((start, end, days))
    # Lots with their items in one query (a lot without items still counts: LEFT JOIN).
    lot_days, items = {}, defaultdict(list)
    for lot_id, cooperative_id, product_id, day, household_id, quantity in (
        SupplyLot.objects.filter(
            cooperative_id__in=cooperative_ids,
            product_id__in=product_ids,
            supplied_on__lte=last_day,
            outside_sale__isnull=True,  # a sale outside the store's own lot splits it alone
        )
        .order_by()
        .values_list(
            "id",
            "cooperative_id",
            "product_id",
            "supplied_on",
            "items__household_id",
            "items__quantity",
        )
    ):
        lot_days[lot_id] = (cooperative_id, product_id, day)
        if household_id is not None:
            items[lot_id].append((household_id, quantity))
    lots = defaultdict(list)
    for lot_id, (cooperative_id, product_id, day) in sorted(
        lot_days.items(), key=lambda r: (r[1][2], r[0]), reverse=True
    ):
        lots[(cooperative_id, product_id)].append((day, items[lot_id]))
    return Benefits(schemes=schemes, links=links, wage_days=wage_days, lots=lots)
