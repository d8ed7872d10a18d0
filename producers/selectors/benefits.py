"""Benefit links and the scheme in force, as the cooperative workspace and allocation read them."""

import datetime

from django.db.models import Count, QuerySet

from ..models import BenefitLink, BenefitScheme, Cooperative


def benefit_scheme_in_force(*, cooperative: Cooperative, on: datetime.date) -> BenefitScheme | None:
    """The latest version that took effect on or before `on`; None before the first one."""
    return (
        BenefitScheme.objects.filter(cooperative=cooperative, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )


def benefit_scheme_versions(*, cooperative: Cooperative) -> QuerySet[BenefitScheme]:
    return (
        BenefitScheme.objects.filter(cooperative=cooperative)
        .select_related("created_by")
        .order_by("-effective_from")
    )


def benefit_links_for_cooperative(
    *, cooperative: Cooperative, kind: str | None = None
) -> QuerySet[BenefitLink]:
    links = (
        BenefitLink.objects.filter(cooperative=cooperative)
        .select_related("household", "household__village")
        .annotate(wage_record_count=Count("wage_records"))
        .order_by("household__village__code", "household_id", "kind")
    )
    if kind:
        links = links.filter(kind=kind)
    return links
