"""Monitoring against return to poverty (防止返贫监测): each night, every household's
income per head over the trailing 12 months (baseline + platform income) is compared with
its province's threshold for the year and with the 12 months before."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Q, Sum
from django.utils import timezone

from core.money import to_yuan
from producers.access import officer_county
from producers.models import Household, Region

from ..models import EarlyWarning, IncomeThreshold, LedgerEntry

YEAR = datetime.timedelta(days=365)
CHUNK = 2_000  # households read, and warnings written, at a time by the Python check


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
    if connection.vendor == "postgresql":
        return _households_monitor_sql(on=on)
    return _households_monitor_python(on=on)


def _households_monitor_python(*, on: datetime.date) -> int:
    """The check in Python, for databases without exact decimal arithmetic (SQLite)."""
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
    existing = EarlyWarning.objects.filter(computed_on=on).count()
    warnings = []
    households = Household.objects.values_list(
        "id", "county_id", "size", "baseline_income_per_head"
    ).iterator(chunk_size=CHUNK)
    for household_id, county_id, size, baseline in households:
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
        if len(warnings) >= CHUNK:  # written as they come: memory stays bounded
            EarlyWarning.objects.bulk_create(warnings, ignore_conflicts=True, batch_size=1000)
            warnings = []
    EarlyWarning.objects.bulk_create(warnings, ignore_conflicts=True, batch_size=1000)
    return EarlyWarning.objects.filter(computed_on=on).count() - existing


# The same check as _households_monitor_python in one INSERT … SELECT, for PostgreSQL: a
# million households no longer travel to Python. numeric is exact like Decimal and round()
# rounds half away from zero like to_yuan (ROUND_HALF_UP). Incomes are summed in whole fen
# (bigint: a small aggregate state, exact as amounts have two places) and divided at 20
# decimals (Decimal: 28 digits), far finer than the distance from any quotient of fen by a
# household size to a half fen, so both round every amount alike. The drop is compared
# multiplied out (before > 0), the exact form of the Python division. OFFSET 0 keeps each
# household's figures computed once rather than inlined into every condition.
MONITOR_SQL = """
INSERT INTO {warning} (household_id, county_id, computed_on, reason, income_per_head,
    threshold, previous_income_per_head, state, follow_up_note)
SELECT m.id, m.county_id, %(on)s, r.reason, m.per_head, m.threshold, m.before,
    %(state)s, ''
FROM (
    SELECT *, per_head < threshold AS below,
        before > 0 AND (before - per_head) * 100 >= %(drop)s * before AS dropped
    FROM (
        SELECT h.id, h.county_id, h.village_id, t.amount_per_head AS threshold,
            round(h.baseline_income_per_head
                + coalesce(i.current, 0)::numeric(40, 20) / (100 * h.size), 2) AS per_head,
            round(h.baseline_income_per_head
                + coalesce(i.previous, 0)::numeric(40, 20) / (100 * h.size), 2) AS before
        FROM {household} h
        LEFT JOIN (
            SELECT household_id,
                sum((amount * 100)::bigint) FILTER (WHERE booked_on > %(year_ago)s)
                    AS current,
                sum((amount * 100)::bigint) FILTER (WHERE booked_on <= %(year_ago)s)
                    AS previous
            FROM {entry}
            WHERE household_id IS NOT NULL AND booked_on > %(two_years_ago)s
                AND booked_on <= %(on)s
            GROUP BY household_id
        ) i ON i.household_id = h.id
        LEFT JOIN {region} county ON county.id = h.county_id AND county.level = %(county)s
        LEFT JOIN {region} city ON city.id = county.parent_id
        LEFT JOIN {threshold} t ON t.province_id = city.parent_id AND t.year = %(year)s
        OFFSET 0
    ) AS figures
) m
CROSS JOIN LATERAL (VALUES (1, %(below)s, m.below), (2, %(drop_reason)s, m.dropped))
    AS r (n, reason, flagged)
WHERE (m.below OR m.dropped) AND r.flagged
ORDER BY m.village_id, m.id, r.n
ON CONFLICT DO NOTHING
"""


def _households_monitor_sql(*, on: datetime.date) -> int:
    tables = {
        name: connection.ops.quote_name(model._meta.db_table)
        for name, model in [
            ("warning", EarlyWarning),
            ("household", Household),
            ("entry", LedgerEntry),
            ("region", Region),
            ("threshold", IncomeThreshold),
        ]
    }
    with connection.cursor() as cursor:
        cursor.execute(
            MONITOR_SQL.format(**tables),
            {
                "on": on,
                "year_ago": on - YEAR,
                "two_years_ago": on - 2 * YEAR,
                "year": on.year,
                "county": Region.Level.COUNTY,
                "state": EarlyWarning.State.OPEN,
                "below": EarlyWarning.Reason.BELOW_THRESHOLD,
                "drop_reason": EarlyWarning.Reason.SHARP_DROP,
                "drop": sharp_drop_percent(),
            },
        )
        return cursor.rowcount


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
