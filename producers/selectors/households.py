"""Household lists for the county office and the cooperative, prefetched for their pages."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from ..models import AuditEntry, BenefitLink, Cooperative, Household, Region


def households_for_county(
    *,
    county: Region,
    status: str | None = None,
    village: Region | None = None,
    search: str | None = None,
) -> QuerySet[Household]:
    """The county office's households; `search` matches a register number exactly."""
    households = (
        Household.objects.filter(county=county)
        .select_related("village", "village__parent")
        .prefetch_related(
            Prefetch(
                "benefit_links",
                queryset=BenefitLink.objects.select_related("cooperative").order_by(
                    "cooperative__legal_name", "kind"
                ),
            )
        )
        .order_by("village__code", "pk")
    )
    if status:
        households = households.filter(status=status)
    if village is not None:
        households = households.filter(village=village)
    if search and search.strip():
        households = households.with_register_number(search)
    return households


def households_for_cooperative(*, cooperative: Cooperative) -> QuerySet[Household]:
    """Households linked to the cooperative, each with its links to it in `cooperative_links`."""
    linked = BenefitLink.objects.filter(household=OuterRef("pk"), cooperative=cooperative)
    return (
        Household.objects.filter(Exists(linked))
        .select_related("village", "village__parent")
        .prefetch_related(
            Prefetch(
                "benefit_links",
                queryset=BenefitLink.objects.filter(cooperative=cooperative).order_by("kind"),
                to_attr="cooperative_links",
            )
        )
        .order_by("village__code", "pk")
    )


def household_audit_entries(*, household: Household, limit: int = 50) -> list[AuditEntry]:
    """Who viewed the household's register number or changed it, newest first."""
    return list(
        AuditEntry.objects.filter(
            target_type=ContentType.objects.get_for_model(Household),
            target_id=str(household.pk),
        )
        .select_related("actor")
        .order_by("-created_at", "-pk")[:limit]
    )
