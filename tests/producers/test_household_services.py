"""County offices keep the household register: create, update, reveal; and its selectors."""

import json
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError

from marketplace.users import roles
from producers.models import AuditEntry, Household
from producers.selectors.households import households_for_cooperative, households_for_county
from producers.services.households import (
    household_create,
    household_register_number_reveal,
    household_update,
)
from tests.factories import (
    BenefitLinkFactory,
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


def village_in(county):
    return VillageFactory(parent=TownshipFactory(parent=county))


def officer_of(county, role=roles.COUNTY_OFFICER):
    return CountyOfficerFactory(county=county, user__roles=[role] if role else []).user


def household_fields(village, **overrides):
    return {
        "register_number": "5134310101000777",
        "head_name": "吉克阿呷",
        "phone": "13900001111",
        "village": village,
        "size": 5,
        "status": Household.Status.POOR,
        "baseline_income_per_head": Decimal("3650.50"),
        "registered_year": 2015,
        **overrides,
    }


def audit_entries_for(household):
    return AuditEntry.objects.filter(
        target_type=ContentType.objects.get_for_model(Household), target_id=str(household.pk)
    )


@pytest.fixture
def county():
    return CountyFactory()


@pytest.fixture
def officer(county):
    return officer_of(county)


# --- create ----------------------------------------------------------------------------------


def test_officer_registers_a_household_of_a_village_in_their_county(county, officer):
    # Given a village of the officer's county
    village = village_in(county)

    # When the officer registers a household there
    household = household_create(officer=officer, **household_fields(village))

    # Then it is stored, owned by the county, with its number found through the blind index
    assert household.county == county
    assert Household.objects.with_register_number("5134310101000777").get() == household


def test_register_number_is_normalised_to_upper_case_without_spaces(county, officer):
    household = household_create(
        officer=officer, **household_fields(village_in(county), register_number=" 51343abc0001 ")
    )

    assert household.register_number == "51343ABC0001"


def test_creation_is_audited_with_field_names_never_values(county, officer):
    household = household_create(officer=officer, **household_fields(village_in(county)))

    entry = audit_entries_for(household).get()
    assert entry.action == "household.create"
    assert entry.actor == officer
    assert "register_number" in entry.detail["fields"]
    serialised = json.dumps(entry.detail, ensure_ascii=False)
    assert "5134310101000777" not in serialised
    assert "吉克阿呷" not in serialised


def test_officer_cannot_register_a_household_in_another_countys_village(county, officer):
    other_village = village_in(CountyFactory())

    with pytest.raises(ValidationError) as excinfo:
        household_create(officer=officer, **household_fields(other_village))

    assert excinfo.value.message_dict["village"] == ["只能选择本县的村。"]
    assert not Household.objects.exists()


def test_register_number_already_registered_is_refused(county, officer):
    HouseholdFactory(register_number="5134310101000777", village=village_in(county))

    with pytest.raises(ValidationError) as excinfo:
        household_create(officer=officer, **household_fields(village_in(county)))

    assert excinfo.value.message_dict["register_number"] == ["该建档立卡编号已登记。"]


def test_malformed_register_number_is_refused(county, officer):
    with pytest.raises(ValidationError) as excinfo:
        household_create(
            officer=officer, **household_fields(village_in(county), register_number="12-34")
        )

    assert "register_number" in excinfo.value.message_dict


def test_household_of_no_people_is_refused(county, officer):
    with pytest.raises(ValidationError) as excinfo:
        household_create(officer=officer, **household_fields(village_in(county), size=0))

    assert "size" in excinfo.value.message_dict


@pytest.mark.parametrize("role", [roles.EVALUATOR, roles.COOPERATIVE_STAFF, roles.CONSUMER])
def test_user_without_a_county_office_cannot_register_households(county, role):
    user = UserFactory(roles=[role])

    with pytest.raises(PermissionDenied):
        household_create(officer=user, **household_fields(village_in(county)))


def test_officer_without_the_add_permission_cannot_register_households(county):
    officer = officer_of(county, role=None)

    with pytest.raises(PermissionDenied):
        household_create(officer=officer, **household_fields(village_in(county)))


# --- update ----------------------------------------------------------------------------------


def test_officer_updates_a_household_and_the_audit_names_the_changed_fields(county, officer):
    # Given a household of the officer's county
    household = HouseholdFactory(village=village_in(county), size=4)

    # When the officer changes its size and status
    household_update(officer=officer, household=household, size=3, status=Household.Status.EXITED)

    # Then the change is saved and audited by field name only
    household.refresh_from_db()
    assert (household.size, household.status) == (3, Household.Status.EXITED)
    entry = audit_entries_for(household).get(action="household.update")
    assert sorted(entry.detail["fields"]) == ["size", "status"]


def test_update_of_register_number_keeps_values_out_of_the_audit(county, officer):
    household = HouseholdFactory(village=village_in(county), register_number="5134310101000001")

    household_update(officer=officer, household=household, register_number="5134310101000999")

    entry = audit_entries_for(household).get(action="household.update")
    assert entry.detail == {"fields": ["register_number"]}
    assert Household.objects.with_register_number("5134310101000999").get() == household


def test_update_that_changes_nothing_writes_no_audit_entry(county, officer):
    household = HouseholdFactory(village=village_in(county), size=4)

    household_update(officer=officer, household=household, size=4)

    assert not audit_entries_for(household).exists()


def test_officer_of_another_county_cannot_update_a_household(county):
    household = HouseholdFactory(village=village_in(county), size=4)
    stranger = officer_of(CountyFactory())

    with pytest.raises(PermissionDenied):
        household_update(officer=stranger, household=household, size=9)

    household.refresh_from_db()
    assert household.size == 4


def test_household_cannot_be_moved_to_another_countys_village(county, officer):
    household = HouseholdFactory(village=village_in(county))

    with pytest.raises(ValidationError):
        household_update(officer=officer, household=household, village=village_in(CountyFactory()))


def test_update_cannot_take_the_register_number_of_another_household(county, officer):
    HouseholdFactory(village=village_in(county), register_number="5134310101000001")
    household = HouseholdFactory(village=village_in(county), register_number="5134310101000002")

    with pytest.raises(ValidationError) as excinfo:
        household_update(officer=officer, household=household, register_number="5134310101000001")

    assert excinfo.value.message_dict["register_number"] == ["该建档立卡编号已登记。"]


def test_evaluator_cannot_update_a_household(county):
    household = HouseholdFactory(village=village_in(county))

    with pytest.raises(PermissionDenied):
        household_update(officer=UserFactory(roles=[roles.EVALUATOR]), household=household, size=1)


# --- reveal ----------------------------------------------------------------------------------


def test_owning_officer_sees_the_full_register_number(county, officer):
    household = HouseholdFactory(village=village_in(county), register_number="5134310101000123")

    number = household_register_number_reveal(user=officer, household=household)

    assert number == "5134310101000123"


def test_reveal_writes_an_audit_entry_naming_the_viewer(county, officer):
    household = HouseholdFactory(village=village_in(county))

    household_register_number_reveal(user=officer, household=household)

    entry = audit_entries_for(household).get()
    assert (entry.action, entry.actor) == ("household.register_number.view", officer)


def test_officer_of_another_county_is_refused_the_reveal_and_no_entry_is_written(county):
    household = HouseholdFactory(village=village_in(county))
    stranger = officer_of(CountyFactory())

    with pytest.raises(PermissionDenied):
        household_register_number_reveal(user=stranger, household=household)

    assert not AuditEntry.objects.exists()


def test_officer_without_the_register_permission_is_refused_the_reveal(county):
    household = HouseholdFactory(village=village_in(county))

    with pytest.raises(PermissionDenied):
        household_register_number_reveal(user=officer_of(county, role=None), household=household)

    assert not AuditEntry.objects.exists()


def test_cooperative_staff_are_refused_the_reveal_of_a_linked_household(county):
    link = BenefitLinkFactory(cooperative=CooperativeFactory(village=village_in(county)))
    staff = CooperativeStaffFactory(cooperative=link.cooperative)

    with pytest.raises(PermissionDenied):
        household_register_number_reveal(user=staff, household=link.household)

    assert not AuditEntry.objects.exists()


@pytest.mark.parametrize("role", [roles.EVALUATOR, roles.PLATFORM_ADMIN])
def test_roles_outside_the_county_office_are_refused_the_reveal(county, role):
    household = HouseholdFactory(village=village_in(county))

    with pytest.raises(PermissionDenied):
        household_register_number_reveal(user=UserFactory(roles=[role]), household=household)


def test_household_is_shown_masked_by_default():
    household = HouseholdFactory(register_number="5134310101000123")

    assert str(household) == "5134**********23"


# --- selectors -------------------------------------------------------------------------------


def test_county_list_holds_only_the_countys_households(county):
    own = HouseholdFactory(village=village_in(county))
    HouseholdFactory(village=village_in(CountyFactory()))

    assert list(households_for_county(county=county)) == [own]


def test_county_list_finds_a_household_by_its_exact_register_number(county):
    wanted = HouseholdFactory(village=village_in(county), register_number="5134310101000555")
    HouseholdFactory(village=village_in(county), register_number="5134310101000556")

    found = households_for_county(county=county, search=" 5134310101000555 ")

    assert list(found) == [wanted]


def test_county_list_search_does_not_reach_another_county():
    HouseholdFactory(register_number="5134310101000555")

    assert not households_for_county(county=CountyFactory(), search="5134310101000555").exists()


def test_county_list_filters_by_status_and_village(county):
    village = village_in(county)
    wanted = HouseholdFactory(village=village, status=Household.Status.MONITORED)
    HouseholdFactory(village=village, status=Household.Status.EXITED)
    HouseholdFactory(village=village_in(county), status=Household.Status.MONITORED)

    found = households_for_county(county=county, status="monitored", village=village)

    assert list(found) == [wanted]


def test_cooperative_list_holds_only_households_linked_to_it(county):
    cooperative = CooperativeFactory(village=village_in(county))
    linked = BenefitLinkFactory(cooperative=cooperative).household
    BenefitLinkFactory(cooperative=CooperativeFactory(village=village_in(county)))
    HouseholdFactory(village=village_in(county))

    assert list(households_for_cooperative(cooperative=cooperative)) == [linked]


def test_cooperative_list_shows_a_household_once_with_all_its_links(county):
    cooperative = CooperativeFactory(village=village_in(county))
    link = BenefitLinkFactory(cooperative=cooperative)
    BenefitLinkFactory(
        cooperative=cooperative,
        household=link.household,
        kind="dividend",
        equity_shares=Decimal("1000.00"),
    )

    households = list(households_for_cooperative(cooperative=cooperative))

    assert len(households) == 1
    assert {other.kind for other in households[0].cooperative_links} == {
        "wage_labour",
        "dividend",
    }
