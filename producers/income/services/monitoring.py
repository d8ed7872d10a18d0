"""Monitoring against return to poverty (防止返贫监测): each night, every household's
income per head is compared with its province's monitoring line for the year and with the
period before. Income per head is the registration baseline plus, divided by the household's
size, the platform income of the trailing 12 months and the income from other sources the
county office recorded for the year (for last year while this year has none recorded yet);
the period before is the 12 months before and the other income of the year before that.

A household with an unresolved warning (open or in progress) is not flagged again for the
same reason: its warning's follow-ups are the trail. Changing a line re-runs the check for
the province at once (income_threshold_set)."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.money import MoneyError, format_yuan, parse_yuan, to_yuan
from producers.models import Household, Region
from producers.services.audit import audit_record

from ..models import (
    EarlyWarning,
    IncomeThreshold,
    IncomeThresholdRevision,
    LedgerEntry,
    OtherIncome,
)

YEAR = datetime.timedelta(days=365)
CHUNK = 2_000  # households read, and warnings written, at a time by the Python check


def sharp_drop_percent() -> Decimal:
    return Decimal(str(getattr(settings, "INCOME_SHARP_DROP_PERCENT", "30")))


def first_review_days() -> int:
    return int(getattr(settings, "INCOME_WARNING_FIRST_REVIEW_DAYS", 15))


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


def households_monitor(*, on: datetime.date | None = None, province_id: int | None = None) -> int:
    """Flag households below the threshold or whose income per head dropped by at least
    INCOME_SHARP_DROP_PERCENT, unless already flagged for that reason and not yet resolved.
    Idempotent for a day. Only the households of one province if `province_id` is given.
    Returns the number of new warnings."""
    on = on or timezone.localdate()
    if connection.vendor == "postgresql":
        return _households_monitor_sql(on=on, province_id=province_id)
    return _households_monitor_python(on=on, province_id=province_id)


def _other_income(
    *, year: int, household_ids: list[int] | None = None
) -> dict[int, tuple[Decimal, Decimal]]:
    """Household id -> (other income counted now, the year before it): the year's records,
    or last year's while the year has none; voided records never count."""
    by_year: dict[int, dict[int, Decimal]] = {}
    records = OtherIncome.objects.filter(voided_at__isnull=True, year__gte=year - 2, year__lte=year)
    if household_ids is not None:
        records = records.filter(household_id__in=household_ids)
    for household_id, record_year, total in (
        records.order_by().values_list("household_id", "year").annotate(total=Sum("amount"))
    ):
        by_year.setdefault(household_id, {})[record_year] = total
    out = {}
    for household_id, years in by_year.items():
        counted = max((y for y in years if y >= year - 1), default=None)
        if counted is not None:
            out[household_id] = (years[counted], years.get(counted - 1, Decimal("0")))
    return out


def _lifted_warnings(*, province: Region, line: Decimal, on: datetime.date) -> list[int]:
    """Unresolved below-the-line warnings of the province's households for `on`'s year
    whose household's income per head, counted as the check counts it, is no longer below
    `line`."""
    warnings = list(
        EarlyWarning.objects.filter(
            reason=EarlyWarning.Reason.BELOW_THRESHOLD,
            state__in=EarlyWarning.UNRESOLVED,
            computed_on__year=on.year,
            county__parent__parent=province,
        ).values_list("pk", "household_id")
    )
    households = Household.objects.filter(pk__in={h for _pk, h in warnings}).values_list(
        "id", "county_id", "size", "baseline_income_per_head"
    )
    per_head = {h: income for h, _county, income, _before in _figures(on=on, households=households)}
    return [pk for pk, household_id in warnings if per_head[household_id] >= line]


def _figures(*, on: datetime.date, households) -> "list[tuple]":
    """(household id, county id, income per head, the period before) of `households`, an
    iterable of (id, county id, size, baseline), in the exact arithmetic of the SQL check."""
    households = list(households)
    ids = [h[0] for h in households]
    income = _platform_income(on=on, household_ids=ids)
    other = _other_income(year=on.year, household_ids=ids)
    out = []
    for household_id, county_id, size, baseline in households:
        current, previous = income.get(household_id, (0, 0))
        other_now, other_before = other.get(household_id, (0, 0))
        per_head = to_yuan(baseline + (Decimal(current) + Decimal(other_now)) / size)
        before = to_yuan(baseline + (Decimal(previous) + Decimal(other_before)) / size)
        out.append((household_id, county_id, per_head, before))
    return out


def _platform_income(*, on: datetime.date, household_ids: list[int] | None = None) -> dict:
    entries = LedgerEntry.objects.filter(
        household__isnull=False, booked_on__gt=on - 2 * YEAR, booked_on__lte=on
    )
    if household_ids is not None:
        entries = entries.filter(household_id__in=household_ids)
    return {
        h: (current or 0, previous or 0)
        for h, current, previous in entries.values_list("household_id").annotate(
            current=Sum("amount", filter=Q(booked_on__gt=on - YEAR)),
            previous=Sum("amount", filter=Q(booked_on__lte=on - YEAR)),
        )
    }


def _households_monitor_python(*, on: datetime.date, province_id: int | None = None) -> int:
    """The check in Python, for databases without exact decimal arithmetic (SQLite)."""
    income = _platform_income(on=on)
    other = _other_income(year=on.year)
    thresholds = dict(
        IncomeThreshold.objects.filter(year=on.year).values_list("province_id", "amount_per_head")
    )
    provinces = _provinces()
    drop = sharp_drop_percent()
    review_on = on + datetime.timedelta(days=first_review_days())
    unresolved = set(
        EarlyWarning.objects.filter(state__in=EarlyWarning.UNRESOLVED).values_list(
            "household_id", "reason"
        )
    )
    existing = EarlyWarning.objects.filter(computed_on=on).count()
    warnings = []
    households = Household.objects.values_list(
        "id", "county_id", "size", "baseline_income_per_head"
    ).iterator(chunk_size=CHUNK)
    for household_id, county_id, size, baseline in households:
        province = provinces.get(county_id)
        if province_id is not None and province != province_id:
            continue
        current, previous = income.get(household_id, (0, 0))
        other_now, other_before = other.get(household_id, (0, 0))
        per_head = to_yuan(baseline + (Decimal(current) + Decimal(other_now)) / size)
        before = to_yuan(baseline + (Decimal(previous) + Decimal(other_before)) / size)
        threshold = thresholds.get(province)
        common = {
            "household_id": household_id,
            "county_id": county_id,
            "computed_on": on,
            "income_per_head": per_head,
            "threshold": threshold,
            "previous_income_per_head": before,
            "next_review_on": review_on,
        }
        below, dropped = EarlyWarning.Reason.BELOW_THRESHOLD, EarlyWarning.Reason.SHARP_DROP
        if (
            threshold is not None
            and per_head < threshold
            and (household_id, below) not in unresolved
        ):
            warnings.append(EarlyWarning(reason=below, **common))
        if (
            before > 0
            and (before - per_head) * 100 / before >= drop
            and (household_id, dropped) not in unresolved
        ):
            warnings.append(EarlyWarning(reason=dropped, **common))
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
# household's figures computed once rather than inlined into every condition. Other income
# counts the year's records, or last year's while the year has none (`counted`). A household
# with an unresolved warning for a reason is skipped for it (the partial index
# warning_unresolved answers NOT EXISTS).
MONITOR_SQL = """
INSERT INTO {warning} (household_id, county_id, computed_on, reason, income_per_head,
    threshold, previous_income_per_head, state, next_review_on)
SELECT m.id, m.county_id, %(on)s, r.reason, m.per_head, m.threshold, m.before,
    %(state)s, %(review_on)s
FROM (
    SELECT *, per_head < threshold AS below,
        before > 0 AND (before - per_head) * 100 >= %(drop)s * before AS dropped
    FROM (
        SELECT h.id, h.county_id, h.village_id, t.amount_per_head AS threshold,
            round(h.baseline_income_per_head
                + (coalesce(i.current, 0) + coalesce(o.current, 0))::numeric(40, 20)
                    / (100 * h.size), 2) AS per_head,
            round(h.baseline_income_per_head
                + (coalesce(i.previous, 0) + coalesce(o.previous, 0))::numeric(40, 20)
                    / (100 * h.size), 2) AS before
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
        LEFT JOIN (
            SELECT household_id,
                sum(fen) FILTER (WHERE year = counted) AS current,
                sum(fen) FILTER (WHERE year = counted - 1) AS previous
            FROM (
                SELECT household_id, year, (amount * 100)::bigint AS fen,
                    max(year) FILTER (WHERE year >= %(year)s - 1)
                        OVER (PARTITION BY household_id) AS counted
                FROM {other}
                WHERE voided_at IS NULL AND year BETWEEN %(year)s - 2 AND %(year)s
            ) AS records
            GROUP BY household_id
        ) o ON o.household_id = h.id
        LEFT JOIN {region} county ON county.id = h.county_id AND county.level = %(county)s
        LEFT JOIN {region} city ON city.id = county.parent_id
        LEFT JOIN {threshold} t ON t.province_id = city.parent_id AND t.year = %(year)s
        WHERE %(province)s::bigint IS NULL OR city.parent_id = %(province)s::bigint
        OFFSET 0
    ) AS figures
) m
CROSS JOIN LATERAL (VALUES (1, %(below)s, m.below), (2, %(drop_reason)s, m.dropped))
    AS r (n, reason, flagged)
WHERE (m.below OR m.dropped) AND r.flagged
    AND NOT EXISTS (
        SELECT 1 FROM {warning} w
        WHERE w.household_id = m.id AND w.reason = r.reason AND w.state = ANY(%(unresolved)s)
    )
ORDER BY m.village_id, m.id, r.n
ON CONFLICT DO NOTHING
"""


def _households_monitor_sql(*, on: datetime.date, province_id: int | None = None) -> int:
    tables = {
        name: connection.ops.quote_name(model._meta.db_table)
        for name, model in [
            ("warning", EarlyWarning),
            ("household", Household),
            ("entry", LedgerEntry),
            ("other", OtherIncome),
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
                "review_on": on + datetime.timedelta(days=first_review_days()),
                "below": EarlyWarning.Reason.BELOW_THRESHOLD,
                "drop_reason": EarlyWarning.Reason.SHARP_DROP,
                "drop": sharp_drop_percent(),
                "province": province_id,
                "unresolved": [str(state) for state in EarlyWarning.UNRESOLVED],
            },
        )
        return cursor.rowcount


# --- the monitoring lines ----------------------------------------------------------------

MAX_THRESHOLD = Decimal("1000000.00")


def _threshold_refuse(message: str, code: str):
    raise ValidationError(message, code=code)


@transaction.atomic
def income_threshold_set(
    *,
    actor,
    province: Region,
    year: int,
    amount_per_head: Decimal | str,
    reason: str,
    today: datetime.date | None = None,
) -> IncomeThresholdRevision:
    """Platform staff set a province's monitoring line for a year. The old value stays in
    the revision (and the audit log says who). For the current year the check runs again
    for the province at once: households now below the line are flagged, and unresolved
    below-the-line warnings of households no longer below it are withdrawn."""
    if not actor.has_perm("income.change_incomethreshold"):
        raise PermissionDenied
    if province.level != Region.Level.PROVINCE:
        _threshold_refuse(_("监测线按省份设定，请选择一个省份。"), "not_province")
    if not 2000 <= int(year) <= 2100:
        _threshold_refuse(_("年度应在2000到2100之间。"), "year")
    try:
        amount = (
            parse_yuan(amount_per_head)
            if isinstance(amount_per_head, str)
            else to_yuan(amount_per_head)
        )
    except MoneyError:
        _threshold_refuse(_("请输入金额，例如 6000.00。"), "amount")
    if not Decimal("0") < amount <= MAX_THRESHOLD:
        _threshold_refuse(
            _("监测线应大于0且不超过%(max)s。") % {"max": format_yuan(MAX_THRESHOLD)}, "amount"
        )
    reason = (reason or "").strip()
    if not reason:
        _threshold_refuse(_("请填写调整依据（例如文件名称和文号）。"), "reason")
    now = timezone.now()
    threshold = (
        IncomeThreshold.objects.select_for_update().filter(province=province, year=year).first()
    )
    previous = threshold.amount_per_head if threshold else None
    if previous == amount:
        _threshold_refuse(_("新监测线与现行监测线相同，未作更改。"), "unchanged")
    if threshold is None:
        threshold = IncomeThreshold(province=province, year=year)
    threshold.amount_per_head, threshold.set_by, threshold.set_at = amount, actor, now
    threshold.save()
    today = today or timezone.localdate()
    lifted, flagged = [], 0
    if int(year) == today.year:
        lifted = _lifted_warnings(province=province, line=amount, on=today)
        flagged = households_monitor(on=today, province_id=province.pk)
    revision = IncomeThresholdRevision.objects.create(
        threshold=threshold,
        previous_amount=previous,
        amount_per_head=amount,
        reason=reason[:200],
        changed_by=actor,
        changed_at=now,
        flagged=flagged,
        withdrawn=len(lifted),
    )
    EarlyWarning.objects.filter(pk__in=lifted).update(
        state=EarlyWarning.State.WITHDRAWN, withdrawn_by=revision
    )
    withdrawn = len(lifted)
    audit_record(
        actor=actor,
        action="income_threshold.set",
        target=threshold,
        province=province.name,
        year=int(year),
        previous=None if previous is None else str(previous),
        amount=str(amount),
        reason=reason[:200],
        flagged=flagged,
        withdrawn=withdrawn,
    )
    return revision
