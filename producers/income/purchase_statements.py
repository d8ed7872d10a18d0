"""An organisation's purchase statement (消费帮扶采购情况说明): what it bought in a period,
where from, and how many households the purchases reached. It reads the store's settled
lines and the ledger, so it belongs here, above both, not in the store."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from marketplace.organisations.models import Organisation
from marketplace.organisations.selectors import SettledLine, settled_lines

from .selectors import households_reached


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
    """The organisation's settled purchases in the period: every settled line, totals, a
    breakdown by origin county, and the households the ledger says they reached."""
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
