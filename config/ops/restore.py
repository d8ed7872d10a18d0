"""After a restore: does the database still add up? The income ledger and the purchase facts
are recomputed from the orders and payment events (the existing rebuilds, compare only), each
settled line's ledger entries must sum to the net it settled, and the totals are printed so
they can be compared with the source's (`manage.py restore_check`)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum

from evaluation.models import PurchaseFact
from evaluation.services.rebuild import evaluation_rebuild
from producers.income.models import LedgerEntry, LineMovement, ProcessedEvent
from producers.income.services.rebuild import ledger_rebuild_compare


@dataclass
class RestoreReport:
    totals: dict[str, object] = field(default_factory=dict)
    differences: list[str] = field(default_factory=list)


def _unbalanced_lines() -> list[str]:
    """(payment event, line) whose ledger entries do not add up to the net it settled (or,
    for a refund, minus the net refunded)."""
    booked = {
        (row["payment_event_id"], row["line_id"]): row["total"]
        # Entries of sales outside the store have no line: the rebuild above proves them.
        for row in LedgerEntry.objects.filter(line__isnull=False)
        .values("payment_event_id", "line_id")
        .annotate(total=Sum("amount"))
    }
    problems = []
    for movement in LineMovement.objects.values("payment_event_id", "line_id", "kind", "net"):
        key = (movement["payment_event_id"], movement["line_id"])
        total = booked.pop(key, Decimal("0.00"))
        # A refund's movement holds the amount refunded; its entries take it back (negative).
        refund = movement["kind"] == ProcessedEvent.Kind.REFUND
        expected = -movement["net"] if refund else movement["net"]
        if total != expected:
            problems.append(
                f"ledger event {key[0]} line {key[1]}: entries sum to {total}, "
                f"the line's {movement['kind']} was {expected}"
            )
    problems += [
        f"ledger event {event} line {line}: entries of {total} without a settled line"
        for (event, line), total in sorted(booked.items())
    ]
    return problems


def restore_check() -> RestoreReport:
    report = RestoreReport()
    ledger = ledger_rebuild_compare()
    report.differences += [
        f"ledger {d.source} household {d.household_id or '-'} "
        f"{d.kind}: rebuilt {d.expected}, stored {d.stored}"
        for d in ledger.differences or []
    ]
    report.differences += _unbalanced_lines()
    facts = evaluation_rebuild(dry_run=True)
    report.differences += [f"missing fact event={k[0]} line={k[1]}" for k in facts.created]
    report.differences += [
        f"fact event={k[0]} line={k[1]}: {name} stored {old!r}, rebuilt {new!r}"
        for k, name, old, new in facts.updated
    ]
    report.differences += [f"fact without a payment event line: {k}" for k in facts.deleted]
    report.differences += [
        f"locked year: fact event={k[0]} line={k[1]} differs in {name}"
        for k, name in facts.locked_differences
    ]
    report.differences += [
        f"scorecard pairing={pairing} year={year} differs from its rebuild"
        for pairing, year in facts.scorecards_changed
    ]
    entries = LedgerEntry.objects.aggregate(n=Count("id"), total=Sum("amount"))
    fact_totals = PurchaseFact.objects.aggregate(n=Count("id"), total=Sum("amount"))
    report.totals = {
        "orders": ledger.orders,
        "payment events": ledger.events,
        "ledger entries": entries["n"],
        "ledger total": entries["total"] or Decimal("0.00"),
        "purchase facts": fact_totals["n"],
        "purchase facts total": fact_totals["total"] or Decimal("0.00"),
    }
    return report
