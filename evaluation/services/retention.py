"""Personal data retention of households that left the register (PIPL art. 19 and 47).

Nightly, a household that left the register more than HOUSEHOLD_RETENTION_YEARS ago has its
register number and phone erased and its head's name masked (producers'
household_personal_data_erase). Its row stays, with its ledger entries, payouts and facts:
a scorecard, a locked year's figures and the ledger's rebuild all still add up. Two things
hold a household back, to be tried again the next night:

- a year with its income is not locked yet: that year's scorecards can still change and the
  evaluators may still check its households one by one, by register number;
- its cooperative still owes it money: paying it needs to know who it is.

It lives in evaluation because it reads the evaluation years' locks."""

import datetime
import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone

from producers.income.models import LedgerEntry, Payout
from producers.models import Household
from producers.services.households import household_personal_data_erase

from ..models import EvaluationYear

logger = logging.getLogger(__name__)
ZERO = Decimal("0.00")


@dataclass
class RetentionReport:
    erased: list[int] = field(default_factory=list)
    held_open_year: list[int] = field(default_factory=list)
    held_owed: list[int] = field(default_factory=list)


def retention_years() -> int:
    return int(getattr(settings, "HOUSEHOLD_RETENTION_YEARS", 5))


def retention_cutoff(*, today: datetime.date, years: int) -> datetime.date:
    """The latest leaving date whose retention has run out on `today` (29 Feb -> 28 Feb)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def households_retention_run(*, today: datetime.date | None = None) -> RetentionReport:
    """Erase the personal data of every household whose retention has run out, unless held
    back (module docstring). Idempotent: an erased household is not looked at again."""
    years = retention_years()
    cutoff = retention_cutoff(today=today or timezone.localdate(), years=years)
    due = list(
        Household.objects.filter(
            left_register_on__lte=cutoff, personal_data_erased_at__isnull=True
        ).order_by("pk")
    )
    ids = [household.pk for household in due]
    report = RetentionReport()
    if not ids:
        return report
    locked = set(
        EvaluationYear.objects.filter(locked_at__isnull=False).values_list("year", flat=True)
    )
    entries = LedgerEntry.objects.filter(household_id__in=ids)
    in_open_year = {
        household_id
        for household_id, year in entries.annotate(year=ExtractYear("booked_on"))
        .values_list("household_id", "year")
        .distinct()
        if year not in locked
    }
    attributed = dict(entries.values_list("household_id").annotate(total=Sum("amount")).order_by())
    paid = dict(
        Payout.objects.filter(household_id__in=ids)
        .values_list("household_id")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    for household in due:
        if household.pk in in_open_year:
            report.held_open_year.append(household.pk)
        elif attributed.get(household.pk, ZERO) - paid.get(household.pk, ZERO) > 0:
            report.held_owed.append(household.pk)
        elif household_personal_data_erase(household=household, retention_years=years):
            report.erased.append(household.pk)
    logger.info(
        "household retention: %d erased, %d held for an open year, %d held for money owed",
        len(report.erased),
        len(report.held_open_year),
        len(report.held_owed),
    )
    return report
