"""Cooperatives register benefit links, wage records and versioned benefit schemes."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from marketplace.users import roles
from producers.models import AuditEntry, BenefitKind, BenefitLink, BenefitScheme, WageRecord
from producers.selectors.benefits import benefit_scheme_in_force
from producers.services.benefits import (
    benefit_link_create,
    benefit_link_end,
    benefit_scheme_version_add,
    wage_record_add,
)
from tests.factories import (
    BenefitLinkFactory,
    BenefitSchemeFactory,
    CooperativeFactory,
    CooperativeStaffFactory,
    CountyFactory,
    CountyOfficerFactory,
    HouseholdFactory,
    TownshipFactory,
    UserFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db

JAN_1 = datetime.date(2024, 1, 1)
ZERO_SHARES = {name: Decimal("0") for name in ("produce_share", "wage_share", "dividend_share")}


def village_in(county):
    return VillageFactory(parent=TownshipFactory(parent=county))


@pytest.fixture
def cooperative():
    return CooperativeFactory()


@pytest.fixture
def staff(cooperative):
    return CooperativeStaffFactory(cooperative=cooperative)


@pytest.fixture
def household(cooperative):
    return HouseholdFactory(village=village_in(cooperative.county))


def scheme_fields(**overrides):
    return {
        "effective_from": JAN_1,
        "produce_share": Decimal("0.30"),
        "wage_share": Decimal("0.10"),
        "dividend_share": Decimal("0.05"),
        **overrides,
    }


# --- links -----------------------------------------------------------------------------------


def test_staff_link_a_household_of_the_cooperatives_county(cooperative, staff, household):
    link = benefit_link_create(
        actor=staff,
        cooperative=cooperative,
        household=household,
        kind=BenefitKind.PRODUCE_SUPPLY,
        supply_share=Decimal("2.5"),
        started_on=JAN_1,
    )

    assert (link.household, link.cooperative, link.supply_share) == (
        household,
        cooperative,
        Decimal("2.5"),
    )


def test_link_creation_is_audited(cooperative, staff, household):
    link = benefit_link_create(
        actor=staff,
        cooperative=cooperative,
        household=household,
        kind=BenefitKind.WAGE_LABOUR,
        started_on=JAN_1,
    )

    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.target_id) == (
        "benefit_link.create",
        staff,
        str(link.pk),
    )


def test_household_of_another_county_cannot_be_linked(cooperative, staff):
    # Given a household registered in another county
    stranger = HouseholdFactory(village=village_in(CountyFactory()))

    # When the cooperative tries to link it
    with pytest.raises(ValidationError) as excinfo:
        benefit_link_create(
            actor=staff,
            cooperative=cooperative,
            household=stranger,
            kind=BenefitKind.WAGE_LABOUR,
            started_on=JAN_1,
        )

    # Then it is refused and nothing is stored
    assert excinfo.value.message_dict["household"] == ["只能联结合作社所在县的建档立卡户。"]
    assert not BenefitLink.objects.exists()


def test_produce_supply_link_needs_a_supply_share(cooperative, staff, household):
    with pytest.raises(ValidationError) as excinfo:
        benefit_link_create(
            actor=staff,
            cooperative=cooperative,
            household=household,
            kind=BenefitKind.PRODUCE_SUPPLY,
            started_on=JAN_1,
        )

    assert "supply_share" in excinfo.value.message_dict


def test_dividend_link_needs_equity_shares(cooperative, staff, household):
    with pytest.raises(ValidationError) as excinfo:
        benefit_link_create(
            actor=staff,
            cooperative=cooperative,
            household=household,
            kind=BenefitKind.DIVIDEND,
            started_on=JAN_1,
        )

    assert "equity_shares" in excinfo.value.message_dict


def test_second_link_of_the_same_kind_is_refused(cooperative, staff, household):
    BenefitLinkFactory(cooperative=cooperative, household=household)

    with pytest.raises(ValidationError) as excinfo:
        benefit_link_create(
            actor=staff,
            cooperative=cooperative,
            household=household,
            kind=BenefitKind.WAGE_LABOUR,
            started_on=JAN_1,
        )

    assert excinfo.value.message_dict["kind"] == ["该农户已有这种联结方式的联结。"]


def test_staff_of_another_cooperative_cannot_link_for_it(cooperative, household):
    outsider = CooperativeStaffFactory(cooperative=CooperativeFactory(village=household.village))

    with pytest.raises(PermissionDenied):
        benefit_link_create(
            actor=outsider,
            cooperative=cooperative,
            household=household,
            kind=BenefitKind.WAGE_LABOUR,
            started_on=JAN_1,
        )


@pytest.mark.parametrize("role", [roles.EVALUATOR, roles.COUNTY_OFFICER, roles.PLATFORM_ADMIN])
def test_users_who_are_not_the_cooperatives_staff_cannot_link(cooperative, household, role):
    with pytest.raises(PermissionDenied):
        benefit_link_create(
            actor=UserFactory(roles=[role]),
            cooperative=cooperative,
            household=household,
            kind=BenefitKind.WAGE_LABOUR,
            started_on=JAN_1,
        )


def test_county_officer_of_the_cooperatives_county_cannot_link(cooperative, household):
    officer = CountyOfficerFactory(county=cooperative.county, user__roles=[roles.COUNTY_OFFICER])

    with pytest.raises(PermissionDenied):
        benefit_link_create(
            actor=officer.user,
            cooperative=cooperative,
            household=household,
            kind=BenefitKind.WAGE_LABOUR,
            started_on=JAN_1,
        )


def test_ending_a_link_sets_its_end_date_and_is_audited(cooperative, staff):
    link = BenefitLinkFactory(cooperative=cooperative)

    benefit_link_end(actor=staff, link=link, ended_on=datetime.date(2024, 6, 30))

    link.refresh_from_db()
    assert link.ended_on == datetime.date(2024, 6, 30)
    assert AuditEntry.objects.get().action == "benefit_link.end"


def test_link_cannot_end_before_it_started(cooperative, staff):
    link = BenefitLinkFactory(cooperative=cooperative, started_on=JAN_1)

    with pytest.raises(ValidationError):
        benefit_link_end(actor=staff, link=link, ended_on=datetime.date(2023, 12, 31))


def test_ended_link_cannot_be_ended_again(cooperative, staff):
    link = BenefitLinkFactory(cooperative=cooperative, ended_on=datetime.date(2024, 6, 30))

    with pytest.raises(ValidationError):
        benefit_link_end(actor=staff, link=link, ended_on=datetime.date(2024, 7, 31))


def test_staff_of_another_cooperative_cannot_end_a_link(cooperative):
    link = BenefitLinkFactory(cooperative=cooperative)

    with pytest.raises(PermissionDenied):
        benefit_link_end(
            actor=CooperativeStaffFactory(), link=link, ended_on=datetime.date(2024, 6, 30)
        )

    link.refresh_from_db()
    assert link.ended_on is None


# --- wage records ----------------------------------------------------------------------------


def wage_fields(**overrides):
    return {
        "period_start": datetime.date(2024, 3, 1),
        "period_end": datetime.date(2024, 3, 31),
        "days_worked": Decimal("18.5"),
        "wages_paid": Decimal("2220.00"),
        **overrides,
    }


def test_staff_record_wages_on_a_wage_labour_link_and_it_is_audited(cooperative, staff):
    link = BenefitLinkFactory(cooperative=cooperative)

    record = wage_record_add(actor=staff, link=link, **wage_fields())

    assert record.wages_paid == Decimal("2220.00")
    assert AuditEntry.objects.get().action == "wage_record.add"


def test_wages_cannot_be_recorded_on_a_produce_supply_link(cooperative, staff):
    link = BenefitLinkFactory(
        cooperative=cooperative, kind=BenefitKind.PRODUCE_SUPPLY, supply_share=Decimal("1")
    )

    with pytest.raises(ValidationError):
        wage_record_add(actor=staff, link=link, **wage_fields())


def test_wage_period_must_not_end_before_it_starts(cooperative, staff):
    link = BenefitLinkFactory(cooperative=cooperative)

    with pytest.raises(ValidationError):
        wage_record_add(actor=staff, link=link, **wage_fields(period_end=datetime.date(2024, 2, 1)))


def test_staff_of_another_cooperative_cannot_record_wages(cooperative):
    link = BenefitLinkFactory(cooperative=cooperative)

    with pytest.raises(PermissionDenied):
        wage_record_add(actor=CooperativeStaffFactory(), link=link, **wage_fields())

    assert not WageRecord.objects.exists()


# --- scheme versions -------------------------------------------------------------------------


def test_staff_add_a_scheme_version_and_it_is_audited(cooperative, staff):
    scheme = benefit_scheme_version_add(
        actor=staff, cooperative=cooperative, **scheme_fields(), note="2024年方案"
    )

    assert scheme.households_share == Decimal("0.45")
    assert scheme.created_by == staff
    entry = AuditEntry.objects.get()
    assert entry.action == "benefit_scheme.version_add"
    assert entry.detail["shares"]["produce_supply"] == "0.30"


@pytest.mark.parametrize("share", ["produce_share", "wage_share", "dividend_share"])
@pytest.mark.parametrize("value", [Decimal("-0.01"), Decimal("1.01")])
def test_scheme_fraction_outside_zero_to_one_is_refused(cooperative, staff, share, value):
    fields = scheme_fields(**{**ZERO_SHARES, share: value})

    with pytest.raises(ValidationError):
        benefit_scheme_version_add(actor=staff, cooperative=cooperative, **fields)

    assert not BenefitScheme.objects.exists()


def test_scheme_fractions_summing_over_one_are_refused(cooperative, staff):
    fields = scheme_fields(
        produce_share=Decimal("0.60"), wage_share=Decimal("0.30"), dividend_share=Decimal("0.11")
    )

    with pytest.raises(ValidationError) as excinfo:
        benefit_scheme_version_add(actor=staff, cooperative=cooperative, **fields)

    assert "各联结方式的比例之和不能超过1" in excinfo.value.messages[0]


def test_scheme_fractions_summing_exactly_to_one_are_accepted(cooperative, staff):
    fields = scheme_fields(
        produce_share=Decimal("0.60"), wage_share=Decimal("0.30"), dividend_share=Decimal("0.10")
    )

    scheme = benefit_scheme_version_add(actor=staff, cooperative=cooperative, **fields)

    assert scheme.households_share == Decimal("1")


@pytest.mark.parametrize("share", ["produce_share", "wage_share", "dividend_share"])
def test_database_refuses_a_scheme_fraction_above_one(share):
    with pytest.raises(IntegrityError), transaction.atomic():
        BenefitSchemeFactory(**{**ZERO_SHARES, share: Decimal("1.5")})


def test_database_refuses_a_negative_scheme_fraction():
    with pytest.raises(IntegrityError), transaction.atomic():
        BenefitSchemeFactory(wage_share=Decimal("-0.1"))


def test_database_refuses_scheme_fractions_summing_over_one():
    with pytest.raises(IntegrityError), transaction.atomic():
        BenefitSchemeFactory(
            produce_share=Decimal("0.5"), wage_share=Decimal("0.4"), dividend_share=Decimal("0.2")
        )


def test_new_version_must_take_effect_after_the_latest_one(cooperative, staff):
    BenefitSchemeFactory(cooperative=cooperative, effective_from=datetime.date(2025, 1, 1))

    with pytest.raises(ValidationError) as excinfo:
        benefit_scheme_version_add(
            actor=staff,
            cooperative=cooperative,
            **scheme_fields(effective_from=datetime.date(2024, 6, 1)),
        )

    assert "effective_from" in excinfo.value.message_dict


def test_new_version_leaves_the_old_one_unchanged(cooperative, staff):
    old = BenefitSchemeFactory(cooperative=cooperative, produce_share=Decimal("0.3000"))

    benefit_scheme_version_add(
        actor=staff,
        cooperative=cooperative,
        **scheme_fields(effective_from=datetime.date(2025, 1, 1), produce_share=Decimal("0.5")),
    )

    old.refresh_from_db()
    assert old.produce_share == Decimal("0.3000")
    assert BenefitScheme.objects.filter(cooperative=cooperative).count() == 2


def test_staff_of_another_cooperative_cannot_add_a_scheme_version(cooperative):
    with pytest.raises(PermissionDenied):
        benefit_scheme_version_add(
            actor=CooperativeStaffFactory(), cooperative=cooperative, **scheme_fields()
        )


def test_evaluator_cannot_add_a_scheme_version(cooperative):
    with pytest.raises(PermissionDenied):
        benefit_scheme_version_add(
            actor=UserFactory(roles=[roles.EVALUATOR]), cooperative=cooperative, **scheme_fields()
        )


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (datetime.date(2023, 12, 31), None),
        (datetime.date(2024, 1, 1), "2024"),
        (datetime.date(2025, 12, 31), "2024"),
        (datetime.date(2026, 1, 1), "2026"),
        (datetime.date(2030, 5, 1), "2026"),
    ],
)
def test_scheme_in_force_is_the_latest_version_effective_on_the_day(cooperative, day, expected):
    # Given versions from 2024 and 2026, and a later one of another cooperative
    versions = {
        "2024": BenefitSchemeFactory(cooperative=cooperative, effective_from=JAN_1),
        "2026": BenefitSchemeFactory(
            cooperative=cooperative, effective_from=datetime.date(2026, 1, 1)
        ),
    }
    BenefitSchemeFactory(effective_from=datetime.date(2025, 1, 1))

    # When asking which one is in force on the day
    in_force = benefit_scheme_in_force(cooperative=cooperative, on=day)

    # Then it is the latest one of this cooperative that took effect by then
    assert in_force == (versions[expected] if expected else None)


def test_a_household_whose_link_ended_can_be_linked_again():
    # Given a produce link that has ended
    link = BenefitLinkFactory(
        kind=BenefitKind.PRODUCE_SUPPLY,
        supply_share=Decimal("1"),
        ended_on=datetime.date(2025, 12, 31),
    )
    staff = CooperativeStaffFactory(cooperative=link.cooperative)

    # When the cooperative links the household again
    again = benefit_link_create(
        actor=staff,
        cooperative=link.cooperative,
        household=link.household,
        kind=link.kind,
        supply_share=Decimal("1.5"),
        started_on=datetime.date(2026, 3, 1),
    )

    # Then both links exist: the ended one as history, the new one open
    assert again.pk != link.pk
    assert link.household.benefit_links.filter(ended_on__isnull=True).get() == again
