"""Recompute the ledger from orders and payment events, and from the sales outside the
store with their lots, in memory, and compare."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from ..models import LedgerEntry, ProcessedEvent
from .allocation import KIND_BY_CODE, events_load, fee_rate_current
from .benefits import benefits_load
from .engine import LedgerState, event_process
from .outside import outside_ledger_expected, outside_ledger_stored

CHUNK = 2000


@dataclass(frozen=True)
class Difference:
    payment_event_id: int
    line_id: int
    household_id: int | None
    kind: str
    scheme_id: int | None
    expected: Decimal
    stored: Decimal
    outside_sale_id: int | None = None  # set (and no event or line) for a sale outside the store
    reversal: bool = False  # an outside sale's entry that reverses one it corrected

    @property
    def source(self) -> str:
        if self.outside_sale_id is not None:
            return _("线下销售 %(sale)s") % {"sale": self.outside_sale_id}
        return _("支付事件 %(event)s 订单行 %(line)s") % {
            "event": self.payment_event_id,
            "line": self.line_id,
        }

    def __str__(self) -> str:
        return _(
            "收益台账 %(source)s%(reversal)s 农户 %(household)s %(kind)s 方案 %(scheme)s："
            "重算 %(expected)s，存储 %(stored)s"
        ) % {
            "source": self.source,
            "reversal": _("（冲销）") if self.reversal else "",
            "household": self.household_id or "-",
            "kind": self.kind,
            "scheme": self.scheme_id or "-",
            "expected": self.expected,
            "stored": self.stored,
        }


@dataclass
class RebuildReport:
    orders: int = 0
    events: int = 0
    entries: int = 0
    outside_sales: int = 0
    differences: list[Difference] | None = None


def ledger_rebuild_compare() -> RebuildReport:
    """Replay every settlement and refund through the allocation rules (the stored fee rate
    of each processed event, the current one for events never processed) and compare with
    the stored ledger entry by entry."""
    PaymentEvent = get_model("order", "PaymentEvent")
    order_ids = sorted(
        set(
            PaymentEvent.objects.filter(event_type__code__in=KIND_BY_CODE).values_list(
                "order_id", flat=True
            )
        )
        | set(
            # order_by(): the model's ordering would otherwise join the DISTINCT, which then
            # returns every entry instead of each order once.
            LedgerEntry.objects.filter(line__isnull=False)
            .order_by()
            .values_list("line__order_id", flat=True)
            .distinct()
        )
    )
    report = RebuildReport(orders=len(order_ids), differences=[])
    current_rate = fee_rate_current()
    for start in range(0, len(order_ids), CHUNK):
        chunk = order_ids[start : start + CHUNK]
        events, lines = events_load(order_ids=chunk, pending=False)
        rates = dict(
            ProcessedEvent.objects.filter(payment_event__order_id__in=chunk).values_list(
                "payment_event_id", "fee_rate"
            )
        )
        expected: dict[tuple, Decimal] = {}
        if events:
            benefits = benefits_load(
                cooperative_ids={line.cooperative_id for line in lines.values()} - {None},
                product_ids={line.product_id for line in lines.values()} - {None},
                first_day=min(e.day for e in events),
                last_day=max(e.day for e in events),
            )
            book = LedgerState()
            for event in events:
                _movements, entries = event_process(
                    event=event,
                    lines=lines,
                    book=book,
                    fee_rate=rates.get(event.id, current_rate),
                    benefits=benefits,
                )
                for e in entries:
                    key = (e.event_id, e.line_id, e.household_id, e.kind, e.scheme_id)
                    expected[key] = expected.get(key, Decimal(0)) + e.amount
        stored = {
            row[:5]: row[5]
            for row in LedgerEntry.objects.filter(line__order_id__in=chunk)
            .values_list("payment_event_id", "line_id", "household_id", "kind", "scheme_id")
            .annotate(Sum("amount"))
        }
        report.events += len(events)
        report.entries += len(expected)
        for key in sorted(set(expected) | set(stored), key=str):
            want, have = expected.get(key, Decimal(0)), stored.get(key, Decimal(0))
            if want != have:
                report.differences.append(Difference(*key, expected=want, stored=have))
    expected, stored = outside_ledger_expected(), outside_ledger_stored()
    report.outside_sales = len({key[0] for key in expected})
    report.entries += len(expected)
    for key in sorted(set(expected) | set(stored), key=str):
        want, have = expected.get(key, Decimal(0)), stored.get(key, Decimal(0))
        if want != have:
            sale_id, reversal, household_id, kind, scheme_id = key
            report.differences.append(
                Difference(
                    None,
                    None,
                    household_id,
                    kind,
                    scheme_id,
                    want,
                    have,
                    outside_sale_id=sale_id,
                    reversal=bool(reversal),
                )
            )
    return report
