"""Reads of invoices and the organisation's purchase statement (evidence of what it bought,
where from and whom it reached)."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from marketplace.organisations.models import Organisation
from marketplace.organisations.selectors import SettledLine, settled_lines

from .models import Invoice


def organisation_invoices(*, organisation: Organisation):
    return (
        Invoice.objects.filter(organisation=organisation)
        .select_related("order")
        .order_by("-issued_on", "-number")
    )


def invoices_for_finance(*, state: str = ""):
    invoices = Invoice.objects.select_related("organisation", "order").order_by("due_on", "number")
    return invoices.filter(state=state) if state else invoices


@dataclass
class CountyTotal:
    county: str
    cooperatives: set = field(default_factory=set)
    amount: Decimal = Decimal("0.00")


@dataclass
class PurchaseStatement:
    organisation: Organisation
    start: datetime.date
    end: datetime.date
    lines: list[SettledLine]
    total: Decimal
    orders: int
    counties: list[CountyTotal]
    cooperatives: int
    households_reached: int


def purchase_statement(
    *, organisation: Organisation, start: datetime.date, end: datetime.date
) -> PurchaseStatement:
    """The organisation's settled purchases in the period: every settled line, totals, and
    a breakdown by origin county. Households reached come from the income ledger."""
    # Income tracing sits above the store; imported here, not at module level, so that the
    # store loads without it. Households reached are the ledger's to count.
    from producers.income.selectors import households_reached

    lines = settled_lines(organisation=organisation, start=start, end=end)
    by_county: dict[str, CountyTotal] = defaultdict(lambda: CountyTotal(county=""))
    cooperatives = set()
    for settled in lines:
        cooperative = settled.line.cooperative
        county = cooperative.county.name if cooperative else "—"
        entry = by_county[county]
        entry.county = county
        entry.amount += settled.amount
        if cooperative:
            entry.cooperatives.add(cooperative.pk)
            cooperatives.add(cooperative.pk)
    return PurchaseStatement(
        organisation=organisation,
        start=start,
        end=end,
        lines=lines,
        total=sum((settled.amount for settled in lines), Decimal("0.00")),
        orders=len({settled.line.order_id for settled in lines}),
        counties=sorted(by_county.values(), key=lambda entry: (-entry.amount, entry.county)),
        cooperatives=len(cooperatives),
        households_reached=households_reached(order_lines=[s.line for s in lines]),
    )
