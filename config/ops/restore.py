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


def _source(difference) -> str:
    if difference.outside_sale_id is not None:
        return _("线下销售 %(sale)s") % {"sale": difference.outside_sale_id}
    return _("支付事件 %(event)s 订单行 %(line)s") % {
        "event": difference.payment_event_id,
        "line": difference.line_id,
    }


def restore_check() -> RestoreReport:
    report = RestoreReport()
    ledger = ledger_rebuild_compare()
    report.differences += [
        _("收益台账 %(source)s 农户 %(household)s %(kind)s：重算 %(expected)s，存储 %(stored)s")
        % {
            "source": _source(d),
            "household": d.household_id or "-",
            "kind": d.kind,
            "expected": d.expected,
            "stored": d.stored,
        }
        for d in ledger.differences or []
    ]
    # The ledger's own invariants (references, line sums, reversals): income_check's report.
    integrity = ledger_integrity_check()
    report.differences += [str(d) for d in integrity.differences]
    if integrity.unlisted:
        report.differences.append(
            _("台账检查：另有 %(count)s 处差异") % {"count": integrity.unlisted}
        )
    facts = evaluation_rebuild(dry_run=True)
    report.differences += [
        _("缺少采购事实：支付事件 %(event)s 订单行 %(line)s") % {"event": k[0], "line": k[1]}
        for k in facts.created
    ]
    report.differences += [
        _("采购事实 支付事件 %(event)s 订单行 %(line)s：%(field)s 存储 %(old)r，重算 %(new)r")
        % {"event": k[0], "line": k[1], "field": name, "old": old, "new": new}
        for k, name, old, new in facts.updated
    ]
    report.differences += [
        _("采购事实没有对应的支付事件订单行：%(key)s") % {"key": k} for k in facts.deleted
    ]
    report.differences += [
        _("已锁定年度：采购事实 支付事件 %(event)s 订单行 %(line)s 的 %(field)s 不同")
        % {"event": k[0], "line": k[1], "field": name}
        for k, name in facts.locked_differences
    ]
    report.differences += [
        _("考核表 结对 %(pairing)s %(year)s 年度与重算结果不同")
        % {"pairing": pairing, "year": year}
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
