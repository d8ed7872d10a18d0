"""What the monitoring screens read: the lines in force and their history, a county's
early warnings with their follow-ups, overdue reviews, households' other income."""

import datetime

from django.db.models import Case, F, Prefetch, Q, QuerySet, When
from django.utils import timezone

from producers.models import Household, Region

from .models import (
    EarlyWarning,
    IncomeThreshold,
    IncomeThresholdRevision,
    OtherIncome,
    WarningFollowUp,
)


def income_thresholds_list(*, year: int | None = None) -> QuerySet[IncomeThreshold]:
    lines = IncomeThreshold.objects.select_related("province", "set_by").order_by(
        "-year", "province__code"
    )
    return lines.filter(year=year) if year else lines


def income_threshold_history(*, threshold: IncomeThreshold) -> QuerySet[IncomeThresholdRevision]:
    return threshold.revisions.select_related("changed_by").order_by("-changed_at", "-id")


def provinces_list() -> QuerySet[Region]:
    return Region.objects.filter(level=Region.Level.PROVINCE).order_by("code")


def county_province(*, county: Region) -> Region | None:
    city = county.parent
    return city.parent if city is not None else None


def income_threshold_in_force(*, county: Region, year: int) -> IncomeThreshold | None:
    """The line the check uses for the county's households in `year`."""
    province = county_province(county=county)
    if province is None:
        return None
    return (
        IncomeThreshold.objects.select_related("set_by")
        .filter(province=province, year=year)
        .first()
    )


def county_warnings(
    *, county: Region, overdue_only: bool = False, today: datetime.date | None = None
) -> QuerySet[EarlyWarning]:
    """The county's warnings, unresolved first, each with its follow-ups (two queries)."""
    warnings = (
        EarlyWarning.objects.filter(county=county)
        .select_related("household__village", "withdrawn_by__changed_by")
        .prefetch_related(
            Prefetch(
                "follow_ups",
                queryset=WarningFollowUp.objects.select_related("recorded_by").order_by(
                    "recorded_at", "id"
                ),
            )
        )
    )
    if overdue_only:
        warnings = warnings.filter(warnings_overdue_q(today=today))
    resolved = Case(When(state__in=EarlyWarning.UNRESOLVED, then=0), default=1)
    return warnings.alias(resolved=resolved).order_by(
        "resolved", F("next_review_on").asc(nulls_last=True), "-computed_on", "household_id"
    )


def warnings_overdue_q(*, today: datetime.date | None = None) -> Q:
    """Unresolved warnings whose review date has passed."""
    today = today or timezone.localdate()
    return Q(state__in=EarlyWarning.UNRESOLVED, next_review_on__lt=today)


def county_overdue_count(*, county: Region, today: datetime.date | None = None) -> int:
    return EarlyWarning.objects.filter(warnings_overdue_q(today=today), county=county).count()


def county_warning_get(*, county: Region, pk: int) -> EarlyWarning | None:
    return (
        EarlyWarning.objects.filter(county=county, pk=pk)
        .select_related("household__village", "withdrawn_by__changed_by")
        .first()
    )


def warning_follow_ups(*, warning: EarlyWarning) -> QuerySet[WarningFollowUp]:
    return warning.follow_ups.select_related("recorded_by").order_by("recorded_at", "id")


def household_other_incomes(*, household: Household) -> QuerySet[OtherIncome]:
    return household.other_incomes.select_related("recorded_by", "voided_by").order_by(
        "-year", "-recorded_at", "-id"
    )
