"""Writing the ledger: settlements and refunds of payment events, once each."""

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Sum
from django.utils import timezone
from oscar.core.loading import get_model

from core.bulk import CopyLines, copy_value, rows_append, rows_insert_new, rows_streaming
from marketplace.payment import events as payment_events

from ..models import LedgerEntry, LineMovement, LineTrace, ProcessedEvent, new_trace_code
from .benefits import benefits_load
from .engine import (
    REFUND,
    SETTLEMENT,
    Entry,
    EventInfo,
    LedgerState,
    LineInfo,
    LineLedgerState,
    event_process,
)

KIND_BY_CODE = {payment_events.PAID: SETTLEMENT, payment_events.REFUND: REFUND}
LEDGER_FIELDS = [
    "household_id",
    "cooperative_id",
    "line_id",
    "kind",
    "amount",
    "scheme_id",
    "payment_event_id",
    "booked_on",
    "created_at",
]
# The same columns, ordered for COPY lines rendered from entries (see `ledger_rows`).
LEDGER_COPY_FIELDS = [
    "household_id",
    "kind",
    "amount",
    "scheme_id",
    "cooperative_id",
    "line_id",
    "payment_event_id",
    "booked_on",
    "created_at",
]
# Events computed between two writes to the ledger's COPY: PostgreSQL stores one part
# while Python computes the next (a few thousand entries a part).
EVENTS_PER_WRITE = 50


def ledger_rows(entries: list[Entry], now) -> tuple[list[str], list[tuple] | CopyLines]:
    """The fields and rows that append `entries` to the ledger: on PostgreSQL rendered
    straight into COPY text (a dozen entries a line; per-value adaptation would cost more
    than computing them), elsewhere as tuples."""
    if connection.vendor != "postgresql":
        return LEDGER_FIELDS, [
            (e.household_id, e.cooperative_id, e.line_id, e.kind, e.amount, e.scheme_id)
            + (e.event_id, e.day, now)
            for e in entries
        ]
    now_text = copy_value(now)
    lines = CopyLines()
    append = lines.append
    last, tail = None, ""
    # household, kind and amount vary by entry; the rest is the same for a line's entries.
    for event_id, line_id, cooperative_id, household_id, kind, scheme_id, amount, day in entries:
        if (event_id, line_id, scheme_id) != last:
            last = (event_id, line_id, scheme_id)
            scheme = "\\N" if scheme_id is None else scheme_id
            tail = f"{scheme}\t{cooperative_id}\t{line_id}\t{event_id}\t{day}\t{now_text}\n"
        household = "\\N" if household_id is None else household_id
        append(f"{household}\t{kind}\t{amount}\t{tail}")
    return LEDGER_COPY_FIELDS, lines


def fee_rate_current() -> Decimal:
    """The platform fee taken from each settled amount before allocation (0 to 1)."""
    rate = Decimal(str(getattr(settings, "INCOME_PLATFORM_FEE_RATE", "0")))
    if not Decimal(0) <= rate < Decimal(1):
        raise ValueError("INCOME_PLATFORM_FEE_RATE must be at least 0 and below 1.")
    return rate


def events_load(*, order_ids: Iterable[int], up_to: dict[int, int] | None = None, pending=True):
    """EventInfo of the orders' settlement and refund events in id order (only those not on
    the ledger yet when `pending`; per order only ids up to `up_to[order]` when given), and
    LineInfo of the orders' lines."""
    PaymentEvent = get_model("order", "PaymentEvent")
    PaymentEventQuantity = get_model("order", "PaymentEventQuantity")
    Line = get_model("order", "Line")
    order_ids = list(order_ids)
    events = PaymentEvent.objects.filter(
        order_id__in=order_ids, event_type__code__in=KIND_BY_CODE
    ).order_by("id")
    if pending:
        events = events.filter(income_processing__isnull=True)
    rows = [
        row
        for row in events.values_list(
            "id", "order_id", "amount", "date_created", "event_type__code"
        )
        if up_to is None or row[0] <= up_to[row[1]]
    ]
    quantities = defaultdict(list)
    for event_id, line_id, quantity, amount in (
        PaymentEventQuantity.objects.filter(event_id__in=[r[0] for r in rows])
        .order_by("line_id")
        .values_list("event_id", "line_id", "quantity", "amount")
    ):
        quantities[event_id].append((line_id, quantity, amount))
    infos = [
        EventInfo(
            id=event_id,
            order_id=order_id,
            kind=KIND_BY_CODE[code],
            amount=amount,
            day=timezone.localdate(created),
            quantities=tuple(quantities[event_id]),
        )
        for event_id, order_id, amount, created, code in rows
    ]
    lines = {
        row[0]: LineInfo(*row)
        for row in Line.objects.filter(order_id__in=order_ids).values_list(
            "id", "order_id", "cooperative_id", "product_id", "quantity", "line_price_incl_tax"
        )
    }
    return infos, lines


def ledger_state_load(*, line_ids: Iterable[int]) -> LedgerState:
    """What the ledger already holds for these lines (looked up by line: index scans)."""
    book = LedgerState()
    line_ids = list(line_ids)
    for line_id, kind, gross, net, quantity in (
        LineMovement.objects.filter(line_id__in=line_ids)
        .values_list("line_id", "kind")
        .annotate(Sum("gross"), Sum("net"), Sum("quantity"))
    ):
        line = book.line(line_id)
        if kind == SETTLEMENT:
            line.settled_gross, line.settled_net = gross, net
            line.settled_quantity = quantity or 0
        else:
            line.refunded_gross, line.refunded_net = gross, net
            line.refunded_quantity = quantity or 0
    for line_id, household_id, kind, scheme_id, amount in (
        LedgerEntry.objects.filter(line_id__in=line_ids)
        .values_list("line_id", "household_id", "kind", "scheme_id")
        .annotate(Sum("amount"))
    ):
        line = book.lines.setdefault(line_id, LineLedgerState())
        line.balances[(household_id, kind, scheme_id)] = amount
    return book


def events_process(*, payment_event_ids: Iterable[int]) -> int:
    """Put the given payment events on the ledger, each once: an event already recorded is
    skipped, so a replayed or retried task changes nothing. Earlier unrecorded events of
    the same orders are recorded first, so refunds always follow their settlement. One
    transaction: a worker killed midway leaves no partial ledger. Returns the number of
    events recorded."""
    PaymentEvent = get_model("order", "PaymentEvent")
    Order = get_model("order", "Order")
    ids = list(payment_event_ids)
    with transaction.atomic():
        up_to = dict(
            PaymentEvent.objects.filter(pk__in=ids)
            .values("order_id")
            .annotate(last=Max("id"))
            .values_list("order_id", "last")
        )
        if not up_to:
            return 0
        # Serialise work on an order: a concurrent worker waits, then finds it recorded.
        list(Order.objects.select_for_update().filter(pk__in=up_to).order_by("pk").values("pk"))
        events, lines = events_load(order_ids=up_to, up_to=up_to)
        if not events:
            return 0
        # Settlements never read the ledger's state; only refunds need it loaded and kept.
        if any(e.kind == REFUND for e in events):
            book = ledger_state_load(line_ids=lines)
        else:
            book = LedgerState(tracking=False)
        benefits = benefits_load(
            cooperative_ids={line.cooperative_id for line in lines.values()} - {None},
            product_ids={line.product_id for line in lines.values()} - {None},
            first_day=min(e.day for e in events),
            last_day=max(e.day for e in events),
        )
        fee_rate = fee_rate_current()
        now = timezone.now()
        processed, movements = [], []
        fields = LEDGER_COPY_FIELDS if connection.vendor == "postgresql" else LEDGER_FIELDS
        # One COPY for the batch's entries, written part by part as they are computed.
        with rows_streaming(LedgerEntry, fields) as write:
            for start in range(0, len(events), EVENTS_PER_WRITE):
                entries = []
                for event in events[start : start + EVENTS_PER_WRITE]:
                    event_movements, event_entries = event_process(
                        event=event, lines=lines, book=book, fee_rate=fee_rate, benefits=benefits
                    )
                    processed.append((event.id, event.kind, fee_rate, now))
                    movements.extend(event_movements)
                    entries.extend(event_entries)
                write(ledger_rows(entries, now)[1])
        rows_append(
            ProcessedEvent,
            ["payment_event_id", "kind", "fee_rate", "processed_at"],
            processed,
        )
        rows_append(
            LineMovement,
            ["payment_event_id", "line_id", "kind", "quantity", "gross", "fee", "net"],
            [(m.event_id, m.line_id, m.kind, m.quantity, m.gross, m.fee, m.net) for m in movements],
        )
        # A packing slip may have given a line its code already (ON CONFLICT DO NOTHING).
        settled = sorted({m.line_id for m in movements if m.kind == SETTLEMENT})
        rows_insert_new(LineTrace, ["line_id", "code"], [(pk, new_trace_code()) for pk in settled])
    return len(events)
