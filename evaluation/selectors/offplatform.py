"""Reads of off-platform sales, each scoped to who asks: another organisation's or
cooperative's record is not found (404), as if it did not exist."""

from django.db.models import QuerySet
from django.http import Http404

from marketplace.organisations.models import Membership, Organisation
from producers.access import officer_county, staff_cooperative
from producers.models import Household, Region

from ..models import OffPlatformEvidence, OffPlatformSale
from ..services.offplatform import can_view


def _sales() -> QuerySet[OffPlatformSale]:
    return OffPlatformSale.objects.select_related(
        "organisation__home_region", "cooperative__county", "corrects"
    ).prefetch_related("lines__product", "evidence", "corrections")


def recorder_organisations(*, user) -> QuerySet[Organisation]:
    """The eastern organisations whose off-platform sales the user records (as their admin)."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return (
        Organisation.objects.filter(
            home_region__side=Region.Side.EAST,
            memberships__user=user,
            memberships__state=Membership.State.APPROVED,
            memberships__role=Membership.Role.ADMIN,
        )
        .select_related("home_region")
        .order_by("name")
        .distinct()
    )


def records_offplatform_sales_for(*, user, organisation) -> bool:
    """Whether the user records off-platform sales for this organisation (its workspace
    menu links to them then); the same rule as the off-platform pages."""
    return recorder_organisations(user=user).filter(pk=organisation.pk).exists()


def offplatform_sales_of_recorder(*, user) -> QuerySet[OffPlatformSale]:
    return _sales().filter(organisation__in=recorder_organisations(user=user).values("pk"))


def offplatform_sales_to_decide(*, user) -> QuerySet[OffPlatformSale]:
    """The records a cooperative's staff confirm: their cooperative's; for a county officer,
    those of the county's cooperatives without staff on the platform."""
    cooperative = staff_cooperative(user)
    if cooperative is not None:
        return _sales().filter(cooperative=cooperative)
    county = officer_county(user)
    if county is not None:
        return _sales().filter(cooperative__county=county, cooperative__partner__users__isnull=True)
    return OffPlatformSale.objects.none()


def offplatform_sale_get(*, sale_id: int, user) -> OffPlatformSale:
    sale = _sales().filter(pk=sale_id).first()
    if sale is None or not can_view(user=user, sale=sale):
        raise Http404
    return sale


def offplatform_evidence_get(*, sale: OffPlatformSale, evidence_id: int) -> OffPlatformEvidence:
    evidence = OffPlatformEvidence.objects.filter(sale=sale, pk=evidence_id).first()
    if evidence is None:
        raise Http404
    return evidence


def cooperative_households(*, cooperative) -> QuerySet[Household]:
    """The households linked to the cooperative, for its supply-lot form."""
    return (
        Household.objects.filter(benefit_links__cooperative=cooperative)
        .select_related("village")
        .distinct()
        .order_by("pk")
    )
