"""Reads for reconciliation: per household attributed, paid, owed and overdue, and
statements. A constant number of queries whatever the number of households."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from marketplace.payment.events import REFUND
from producers.models import Cooperative, Household

from .models import LedgerEntry, Payout

ZERO = Decimal("0.00")


def overdue_days() -> int:
    return int(getattr(settings, "INCOME_PAYOUT_OVERDUE_DAYS", 30))


def household_balances(
    *, cooperative: Cooperative | None = None, county=None, on: datetime.date | None = None
) -> list[dict]:
    """One row per (household, cooperative): attributed, paid, owed and overdue (income
    booked more than INCOME_PAYOUT_OVERDUE_DAYS ago and not yet covered by payouts; payouts
    settle the oldest income first). Filter by cooperative or by the household's county."""
    on = on or timezone.localdate()
    cutoff = on - datetime.timedelta(days=overdue_days())
    scope = Q()
    if cooperative is not None:
        scope &= Q(cooperative=cooperative)
    if county is not None:
        scope &= Q(household__county=county)
    income = (
        LedgerEntry.objects.filter(scope, household__isnull=False)
        .values_list("household_id", "cooperative_id")
        .annotate(attributed=Sum("amount"), due=Sum("amount", filter=Q(booked_on__lte=cutoff)))
    )
    paid = dict(
        ((h, c), total)
        for h, c, total in Payout.objects.filter(scope)
        .values_list("household_id", "cooperative_id")
        .annotate(total=Sum("amount"))
    )
    keys = {(h, c): (a, d or ZERO) for h, c, a, d in income}
    for key in paid:
        keys.setdefault(key, (ZERO, ZERO))
    households = Household.objects.select_related("village").in_bulk({h for h, _c in keys})
    cooperatives = Cooperative.objects.in_bulk({c for _h, c in keys})
    rows = []
    for (h, c), (attributed, due) in sorted(keys.items()):
        paid_total = paid.get((h, c), ZERO)
        rows.append(
            {
                "household": households[h],
                "cooperative": cooperatives[c],
                "attributed": attributed,
                "paid": paid_total,
                "owed": attributed - paid_total,
                "overdue": max(due - paid_total, ZERO),
            }
        )
    return rows


def cooperative_income_panel(*, cooperative: Cooperative) -> dict:
    """The cooperative's workspace home: what its households were attributed, what it has
    paid them, and what it still owes (and how much of that is overdue)."""
    rows = household_balances(cooperative=cooperative)
    owing = [row for row in rows if row["owed"] > 0]
    return {
        "households": sum(1 for row in rows if row["attributed"] > 0),
        "attributed": sum((row["attributed"] for row in rows), ZERO),
        "paid": sum((row["paid"] for row in rows), ZERO),
        "owed": sum((row["owed"] for row in owing), ZERO),
        "overdue": sum((row["overdue"] for row in rows), ZERO),
        "households_owed": len(owing),
    }


def household_statement(*, household: Household, cooperative: Cooperative | None = None) -> dict:
    """Income by order line and payment event (or by sale outside the store, marked
    线下销售), payouts, and totals for one household."""
    scope = Q(household=household)
    if cooperative is not None:
        scope &= Q(cooperative=cooperative)
    income = list(
        LedgerEntry.objects.filter(scope)
        .values(
            "booked_on",
            "line__order__number",
            "line__title",
            "outside_sale__product__title",
            "cooperative__legal_name",
            "kind",
            "payment_event__event_type__code",
        )
        .annotate(amount=Sum("amount"))
        .order_by("booked_on", "line__order__number", "kind")
    )
    for row in income:
        # An entry of a sale outside the store has no order: it is marked 线下销售, and its
        # reversal (the sale was corrected) is negative.
        row["is_offplatform"] = row["line__order__number"] is None
        if row["is_offplatform"]:
            row["source"] = _("线下销售")
            row["title"] = row["outside_sale__product__title"]
            row["is_refund"] = row["amount"] < 0
        else:
            row["source"] = row["line__order__number"]
            row["title"] = row["line__title"]
            row["is_refund"] = row["payment_event__event_type__code"] == REFUND
    payouts = list(Payout.objects.filter(scope).select_related("cooperative").order_by("paid_on"))
    attributed = sum((row["amount"] for row in income), ZERO)
    paid = sum((p.amount for p in payouts), ZERO)
    return {
        "household": household,
        "income": income,
        "payouts": payouts,
        "attributed": attributed,
        "paid": paid,
        "owed": attributed - paid,
    }
