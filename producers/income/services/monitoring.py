"""Monitoring against return to poverty (防止返贫监测): each night, every household's
income per head over the trailing 12 months (baseline + platform income) is compared with
its province's threshold for the year and with the 12 months before."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q, Sum
from django.utils import timezone

from producers.access import officer_county
from producers.models import Household, Region
from producers.money import to_yuan

from ..models import EarlyWarning, IncomeThreshold, LedgerEntry

YEAR = datetime.timedelta(days=365)


def sharp_drop_percent() -> Decimal:
    return Decimal(str(getattr(settings, "INCOME_SHARP_DROP_PERCENT", "30")))


def _provinces() -> dict[int, int]:
    """County id -> province id (county -> city/prefecture -> province)."""
    rows = list(Region.objects.values_list("id", "parent_id", "level"))
    parents = {region_id: parent_id for region_id, parent_id, _level in rows}
    out = {}
    for region_id, _parent, level in rows:
        if level == Region.Level.COUNTY:
            province = parents.get(parents.get(region_id))
            if province is not None:
                out[region_id] = province
    return out


def households_monitor(*, on: datetime.date | None = None) -> int:
    """Flag households below the threshold or whose income per head dropped by at least
    INCOME_SHARP_DROP_PERCENT. Idempotent for a day. Returns the number of new warnings."""
    on = on or timezone.localdate()
    income = {
        h: (current or 0, previous or 0)
        for h, current, previous in LedgerEntry.objects.filter(
            household__isnull=False, booked_on__gt=on - 2 * YEAR, booked_on__lte=on
        )
        .values_list("household_id")
        .annotate(
            current=Sum("amount", filter=Q(booked_on__gt=on - YEAR)),
            previous=Sum("amount", filter=Q(booked_on__lte=on - YEAR)),
        )
    }
    thresholds = dict(
        IncomeThreshold.objects.filter(year=on.year).values_list("province_id", "amount_per_head")
    )
    provinces = _provinces()
    drop = sharp_drop_percent()
    warnings = []
    for household_id, county_id, size, baseline in Household.objects.values_list(
        "id", "county_id", "size", "baseline_income_per_head"
    ):
        current, previous = income.get(household_id, (0, 0))
        per_head = to_yuan(baseline + Decimal(current) / size)
        before = to_yuan(baseline + Decimal(previous) / size)
        threshold = thresholds.get(provinces.get(county_id))
        common = {
            "household_id": household_id,
            "county_id": county_id,
            "computed_on": on,
            "income_per_head": per_head,
            "threshold": threshold,
            "previous_income_per_head": before,
        }
        if threshold is not None and per_head < threshold:
            warnings.append(EarlyWarning(reason=EarlyWarning.Reason.BELOW_THRESHOLD, **common))
        if before > 0 and (before - per_head) * 100 / before >= drop:
            warnings.append(EarlyWarning(reason=EarlyWarning.Reason.SHARP_DROP, **common))
    existing = EarlyWarning.objects.filter(computed_on=on).count()
    EarlyWarning.objects.bulk_create(warnings, ignore_conflicts=True, batch_size=1000)
    return EarlyWarning.objects.filter(computed_on=on).count() - existing


def warning_follow_up(*, warning: EarlyWarning, officer, note: str) -> EarlyWarning:
    """A county officer records the follow-up of a warning of their own county."""
    if officer_county(officer) != warning.county:
        raise PermissionDenied
    warning.state = EarlyWarning.State.FOLLOWED_UP
    warning.follow_up_note = note.strip()
    warning.followed_up_by = officer
    warning.followed_up_at = timezone.now()
    warning.save(update_fields=["state", "follow_up_note", "followed_up_by", "followed_up_at"])
    return warning
