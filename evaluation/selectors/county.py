"""A county's own report: its sales in a year, read from the purchase facts of its products.

Which facts: those whose origin county is the county, in the evaluation year they count in
(`year`, as the scorecards read them: a sale of a locked year that became an adjustment of
the next open year is in that next year) and that count for the evaluation (`counts`: the
product was certified when sold). Each fact is read once, whatever made it: a settled order
line, a refund (negative) or a sale recorded off the platform.

The same numbers the evaluators see: a pairing's purchase (采购额) here is the sum of the
county's facts in the drill-down of that pairing's purchase figure (an indicator of all
origins), and its help-sell (帮助销售额) likewise; households and people driven are counted
from the income ledger the way the scorecards count them (income from these facts' order
lines reaching the year's minimum, decision 0006). Sales recorded off the platform add to
the money, not to the households: their ledger entries (once the cooperative recorded
their lots) have no order line (decision 0007).

A fixed number of queries whatever the number of facts, pairings or regions."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, F, Q, Sum

from core.money import to_yuan
from producers.income.selectors import households_driven_by_group
from producers.models import Pairing, Region

from ..models import Indicator, PurchaseFact

ZERO = Decimal("0.00")
HUNDRED = Decimal("100")


def change_percent(now, before) -> Decimal | None:
    """Year-on-year change in percent, one decimal; None when last year was zero (no base)."""
    if not before:
        return None
    return ((Decimal(now) - Decimal(before)) * HUNDRED / abs(Decimal(before))).quantize(
        Decimal("0.1")
    )


@dataclass
class YearFigures:
    """One year of a county: money in yuan (two places), counts whole."""

    year: int
    total: Decimal = ZERO  # every counted fact once
    bought: Decimal = ZERO  # facts counted as some pairing's purchase
    helped: Decimal = ZERO  # facts counted as some pairing's help-sell
    offplatform: Decimal = ZERO  # counted facts of sales recorded off the platform
    not_counted: Decimal = ZERO  # facts that do not count (product not certified at sale)
    products: int = 0  # certified products sold
    households: int = 0  # households driven: income from these sales reaches the minimum
    people: int = 0  # their registered members (带动贫困人口)
    minimum: Decimal = ZERO  # the year's income minimum per household


@dataclass
class CountyReport:
    county: Region
    year: int
    this: YearFigures
    last: YearFigures
    months: list[dict] = field(default_factory=list)
    pairings: list[dict] = field(default_factory=list)
    regions: list[dict] = field(default_factory=list)
    shows_offplatform: bool = False

    def changes(self) -> dict:
        """Year-on-year change of each summary figure, in percent (None: no base)."""
        names = ("total", "bought", "helped", "offplatform", "products", "households", "people")
        return {
            name: change_percent(getattr(self.this, name) or 0, getattr(self.last, name) or 0)
            for name in names
        }


def county_report_facts(*, county_id: int, year: int):
    """The county's facts of a year that count (what the report adds up)."""
    return PurchaseFact.objects.filter(origin_county_id=county_id, year=year, counts=True)


def income_minimums(*, years) -> dict[int, Decimal]:
    """The income a household must get in each year to count as driven: the minimum of the
    year's households and people indicators (one per year, decision 0006), else the
    default."""
    found = dict(
        Indicator.objects.filter(year__in=years, measure__in=Indicator.LEDGER_MEASURES)
        .order_by("year", "pk")
        .values_list("year", "income_minimum")
    )
    return {y: found.get(y, Indicator.DEFAULT_INCOME_MINIMUM) for y in years}


def county_report(*, county: Region, year: int) -> CountyReport:
    """The county's figures for `year` and the year before, by month, by pairing (purchase
    and help-sell apart) and by buyer region."""
    years = (year - 1, year)
    facts = PurchaseFact.objects.filter(origin_county_id=county.pk, year__in=years)
    group = ["year", "month", "counts", "bought_pairing_id", "helped_pairing_id", "buyer_region_id"]
    rows = list(
        facts.order_by()
        .values(*group)
        .annotate(
            amount_sum=Sum("amount"),
            offplatform_sum=Sum("amount", filter=Q(offplatform_sale__isnull=False)),
        )
    )

    figures = {y: YearFigures(year=y) for y in years}
    months = {
        (y, m): {"bought": ZERO, "helped": ZERO, "total": ZERO} for y in years for m in range(1, 13)
    }
    pairings = defaultdict(
        lambda: {"bought": ZERO, "helped": ZERO, "last_bought": ZERO, "last_helped": ZERO}
    )
    regions = defaultdict(
        lambda: {"total": ZERO, "bought": ZERO, "helped": ZERO, "last_total": ZERO}
    )
    for row in rows:
        amount = to_yuan(row["amount_sum"] or 0)
        figure = figures[row["year"]]
        if not row["counts"]:
            figure.not_counted += amount
            continue
        current = row["year"] == year
        figure.total += amount
        figure.offplatform += to_yuan(row.get("offplatform_sum") or 0)
        month = months[(row["year"], row["month"])]
        month["total"] += amount
        region = regions[row["buyer_region_id"]]
        region["total" if current else "last_total"] += amount
        if row["bought_pairing_id"] is not None:
            figure.bought += amount
            month["bought"] += amount
            pairings[row["bought_pairing_id"]]["bought" if current else "last_bought"] += amount
            if current:
                region["bought"] += amount
        if row["helped_pairing_id"] is not None:
            figure.helped += amount
            month["helped"] += amount
            pairings[row["helped_pairing_id"]]["helped" if current else "last_helped"] += amount
            if current:
                region["helped"] += amount

    products = (
        facts.filter(counts=True, kind=PurchaseFact.Kind.SALE)
        .order_by()
        .values("year")
        .annotate(n=Count("product", distinct=True))
    )
    for row in products:
        figures[row["year"]].products = row["n"]
    minimums = income_minimums(years=years)
    for y in years:
        # Households whose income from the county's counted sales of the year reaches the
        # year's minimum (decision 0006), and their registered members.
        line_groups = facts.filter(year=y, counts=True, line__isnull=False).values(
            group_key=F("year"), line_key=F("line_id")
        )
        reach = households_driven_by_group(line_groups=line_groups, minimum=minimums[y]).get(y)
        figures[y].minimum = minimums[y]
        if reach is not None:
            figures[y].households, figures[y].people = reach.households, reach.people
        else:
            figures[y].households, figures[y].people = 0, 0

    known_pairings = Pairing.objects.select_related("east_region", "west_region").in_bulk(
        list(pairings)
    )
    known_regions = Region.objects.in_bulk([pk for pk in regions if pk is not None])
    this, last = figures[year], figures[year - 1]
    report = CountyReport(
        county=county,
        year=year,
        this=this,
        last=last,
        shows_offplatform=True,
    )
    for m in range(1, 13):
        now, before = months[(year, m)], months[(year - 1, m)]
        report.months.append(
            {
                "month": m,
                **now,
                "last_total": before["total"],
                "change": change_percent(now["total"], before["total"]),
            }
        )
    for pk, sums in pairings.items():
        pairing = known_pairings.get(pk)
        if pairing is None:
            continue
        report.pairings.append(
            {
                "pairing": pairing,
                "name": str(pairing),
                "kind": pairing.get_kind_display(),
                **sums,
                "change": change_percent(
                    sums["bought"] + sums["helped"], sums["last_bought"] + sums["last_helped"]
                ),
            }
        )
    report.pairings.sort(key=lambda p: (-(p["bought"] + p["helped"]), p["name"]))
    for pk, sums in regions.items():
        region = known_regions.get(pk)
        report.regions.append(
            {
                "region": region,
                "name": region.display_name if region else None,
                **sums,
                "change": change_percent(sums["total"], sums["last_total"]),
            }
        )
    report.regions.sort(key=lambda r: (r["region"] is None, -r["total"], r["name"] or ""))
    return report


def county_report_counties() -> list[Region]:
    """Counties with facts, for an evaluator to choose from: those whose products sold."""
    ids = PurchaseFact.objects.order_by().values("origin_county_id").distinct()
    return list(
        Region.objects.filter(pk__in=ids, level=Region.Level.COUNTY)
        .select_related("parent__parent")
        .order_by("code", "pk")
    )


def county_get(*, county_id: int) -> Region | None:
    return Region.objects.filter(pk=county_id, level=Region.Level.COUNTY).first()


__all__ = [
    "CountyReport",
    "YearFigures",
    "change_percent",
    "county_get",
    "county_report",
    "county_report_counties",
    "county_report_facts",
]
