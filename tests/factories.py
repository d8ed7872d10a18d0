"""factory_boy factories for the project's own models.

Regions come as a chain: a VillageFactory builds its township, county, city and province,
all on the same side (west unless told otherwise). Oscar's own models use
oscar.test.factories.
"""

import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from factory.django import DjangoModelFactory, Password
from oscar.test import factories as oscar_factories

from evaluation.models import DesignatedBuyer, Pairing
from marketplace.organisations.models import Membership, Organisation
from marketplace.users.models import User
from marketplace.users.roles import COOPERATIVE_STAFF
from producers.models import (
    BenefitKind,
    BenefitLink,
    BenefitScheme,
    Cooperative,
    CooperativeDecision,
    CooperativeDocument,
    CountyOfficer,
    Household,
    Region,
    WageRecord,
)
from producers.validators import credit_code_check_char

PASSWORD = "correct horse battery staple"


def credit_code(first17: str) -> str:
    """A valid unified social credit code from its first 17 characters."""
    return first17 + credit_code_check_char(first17)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@dongxi.example")
    first_name = "小明"
    last_name = "王"
    password = Password(PASSWORD)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        """UserFactory(roles=[EDITOR]) puts the user in those role groups."""
        if create and extracted:
            self.groups.add(*Group.objects.filter(name__in=[role.code for role in extracted]))


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region

    level = Region.Level.PROVINCE
    parent = None
    side = Region.Side.WEST
    code = factory.Sequence(lambda n: f"{n:012d}")
    name = factory.Sequence(lambda n: f"地区{n}")


class ProvinceFactory(RegionFactory):
    name = factory.Sequence(lambda n: f"省{n}")


class CityFactory(RegionFactory):
    level = Region.Level.CITY
    parent = factory.SubFactory(ProvinceFactory, side=factory.SelfAttribute("..side"))
    name = factory.Sequence(lambda n: f"市{n}")


class CountyFactory(RegionFactory):
    level = Region.Level.COUNTY
    parent = factory.SubFactory(CityFactory, side=factory.SelfAttribute("..side"))
    name = factory.Sequence(lambda n: f"县{n}")


class TownshipFactory(RegionFactory):
    level = Region.Level.TOWNSHIP
    parent = factory.SubFactory(CountyFactory, side=factory.SelfAttribute("..side"))
    name = factory.Sequence(lambda n: f"乡{n}")


class VillageFactory(RegionFactory):
    level = Region.Level.VILLAGE
    parent = factory.SubFactory(TownshipFactory, side=factory.SelfAttribute("..side"))
    name = factory.Sequence(lambda n: f"村{n}")


class CooperativeFactory(DjangoModelFactory):
    class Meta:
        model = Cooperative

    legal_name = factory.Sequence(lambda n: f"第{n}农民专业合作社")
    credit_code = factory.Sequence(lambda n: credit_code(f"93513431{n:09d}"))
    kind = Cooperative.Kind.FARMERS_COOPERATIVE
    village = factory.SubFactory(VillageFactory)
    contact_name = "李四"
    contact_phone = "13800138000"


class HouseholdFactory(DjangoModelFactory):
    class Meta:
        model = Household

    register_number = factory.Sequence(lambda n: f"5134310101{n:06d}")
    head_name = "阿西木呷"
    phone = "13912345678"
    village = factory.SubFactory(VillageFactory)
    size = 4
    status = Household.Status.POOR
    baseline_income_per_head = Decimal("3200.00")
    registered_year = 2014


class CountyOfficerFactory(DjangoModelFactory):
    class Meta:
        model = CountyOfficer

    user = factory.SubFactory(UserFactory)
    county = factory.SubFactory(CountyFactory)


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"第{n}机关食堂")
    kind = Organisation.Kind.BUDGET_UNIT
    credit_code = factory.Sequence(lambda n: credit_code(f"11330100{n:09d}"))
    home_region = factory.SubFactory(CityFactory, side=Region.Side.EAST)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.BUYER


class PairingFactory(DjangoModelFactory):
    class Meta:
        model = Pairing
        skip_postgeneration_save = True

    kind = Pairing.Kind.EAST_WEST
    east_region = factory.SubFactory(CityFactory, side=Region.Side.EAST)
    west_region = factory.SubFactory(CountyFactory, side=Region.Side.WEST)
    start_year = 2016
    end_year = 2020

    @factory.post_generation
    def buyer(pairing, create, organisation, **kwargs):
        """PairingFactory(buyer=unit): the store account of a designated pairing's unit."""
        if create and organisation is not None:
            DesignatedBuyer.objects.create(pairing=pairing, organisation=organisation)


class PartnerFactory(oscar_factories.PartnerFactory):
    """An Oscar partner that is a cooperative, as every partner here is."""

    class Meta:
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"第{n}合作社")
    cooperative = factory.SubFactory(CooperativeFactory)


class CooperativeStaffFactory(UserFactory):
    """A user in the cooperative_staff role working for `cooperative` (a new one if not given):
    CooperativeStaffFactory(cooperative=coop)."""

    @factory.post_generation
    def cooperative(self, create, extracted, **kwargs):
        if not create:
            return
        self.groups.add(Group.objects.get(name=COOPERATIVE_STAFF.code))
        cooperative = extracted or CooperativeFactory()
        partner = getattr(cooperative, "partner", None) if cooperative.pk else None
        if partner is None:
            partner = PartnerFactory(cooperative=cooperative)
        partner.users.add(self)


class BenefitLinkFactory(DjangoModelFactory):
    """A wage-labour link between a cooperative and a household of the cooperative's county."""

    class Meta:
        model = BenefitLink

    cooperative = factory.SubFactory(CooperativeFactory)
    household = factory.LazyAttribute(
        lambda link: HouseholdFactory(
            village=VillageFactory(parent=TownshipFactory(parent=link.cooperative.county))
        )
    )
    kind = BenefitKind.WAGE_LABOUR
    started_on = datetime.date(2024, 1, 1)


class WageRecordFactory(DjangoModelFactory):
    class Meta:
        model = WageRecord

    link = factory.SubFactory(BenefitLinkFactory)
    period_start = datetime.date(2024, 3, 1)
    period_end = datetime.date(2024, 3, 31)
    days_worked = Decimal("20.0")
    wages_paid = Decimal("2400.00")


class BenefitSchemeFactory(DjangoModelFactory):
    class Meta:
        model = BenefitScheme

    cooperative = factory.SubFactory(CooperativeFactory)
    effective_from = datetime.date(2024, 1, 1)
    produce_share = Decimal("0.3000")
    wage_share = Decimal("0.1000")
    dividend_share = Decimal("0.0500")


# Smallest file contents that pass the evidence upload's content check (by magic bytes).
PDF_BYTES = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"\x00" * 32


class CooperativeDocumentFactory(DjangoModelFactory):
    """An evidence file (a business licence in PDF unless told otherwise). Tests that build
    one should point settings.MEDIA_ROOT at tmp_path."""

    class Meta:
        model = CooperativeDocument

    cooperative = factory.SubFactory(CooperativeFactory)
    kind = CooperativeDocument.Kind.BUSINESS_LICENCE
    file = factory.django.FileField(filename="licence.pdf", data=PDF_BYTES)


class CooperativeDecisionFactory(DjangoModelFactory):
    """One recorded certification step (an application from draft unless told otherwise);
    it does not change the cooperative's state."""

    class Meta:
        model = CooperativeDecision

    cooperative = factory.SubFactory(CooperativeFactory)
    action = CooperativeDecision.Action.APPLY
    from_state = Cooperative.State.DRAFT
    to_state = Cooperative.State.APPLIED
    actor = factory.SubFactory(UserFactory)
