"""After a restore: does the database still add up? The income ledger and the purchase facts
are recomputed from the orders and payment events (the existing rebuilds, compare only), the
ledger's own invariants are checked (`manage.py income_check`: every reference exists, each
settled line's entries sum to the net it settled, every reversal matches), and the totals are
printed so they can be compared with the source's (`manage.py restore_check`)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from evaluation.models import PurchaseFact
from evaluation.services.rebuild import evaluation_rebuild
from producers.income.integrity import ledger_integrity_check
from producers.income.models import LedgerEntry
from producers.income.services.rebuild import ledger_rebuild_compare


@dataclass
class RestoreReport:
    totals: dict[str, object] = field(default_factory=dict)
    differences: list[str] = field(default_factory=list)


def restore_check() -> RestoreReport:
    report = RestoreReport()
    ledger = ledger_rebuild_compare()
    report.differences += [str(d) for d in ledger.differences or []]
    # The ledger's own invariants (references, line sums, reversals): income_check's report.
    integrity = ledger_integrity_check()
    report.differences += [str(d) for d in integrity.differences]
    if integrity.unlisted:
        report.differences.append(
            _("台账检查：另有 %(count)s 处差异") % {"count": integrity.unlisted}
        )
    facts = evaluation_rebuild(dry_run=True)
    report.differences += facts.described()
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
