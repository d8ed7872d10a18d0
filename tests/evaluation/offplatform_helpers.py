"""Off-platform sales for tests: the eastern organisation's admin, evidence files, and a
record written directly (for worlds that only need one to exist)."""

import datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from evaluation.models import OffPlatformEvidence, OffPlatformSale, OffPlatformSaleLine
from marketplace.organisations.models import Membership
from marketplace.users.roles import INSTITUTIONAL_BUYER
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

PDF = b"%PDF-1.4\n% test evidence\n"


def pdf(name: str = "合同.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def organisation_admin(*, organisation=None, **organisation_kwargs):
    """(organisation, its approved admin)."""
    organisation = organisation or OrganisationFactory(**organisation_kwargs)
    user = UserFactory(roles=[INSTITUTIONAL_BUYER])
    MembershipFactory(
        organisation=organisation,
        user=user,
        role=Membership.Role.ADMIN,
        state=Membership.State.APPROVED,
    )
    return organisation, user


def offplatform_sale_create(
    *, organisation, cooperative, recorded_by, product, amount=Decimal("1000.00"), **kwargs
) -> OffPlatformSale:
    """A pending record with one line and one evidence file, written without the service."""
    sale = OffPlatformSale.objects.create(
        organisation=organisation,
        cooperative=cooperative,
        channel_kind=kwargs.pop("channel_kind", OffPlatformSale.ChannelKind.FAIR),
        sold_on=kwargs.pop("sold_on", datetime.date(2025, 6, 15)),
        amount=amount,
        recorded_by=recorded_by,
        **kwargs,
    )
    OffPlatformSaleLine.objects.create(sale=sale, product=product, quantity=10)
    evidence = OffPlatformEvidence(sale=sale, uploaded_by=recorded_by)
    evidence.file.save("evidence.pdf", ContentFile(PDF), save=True)
    return sale
