"""Single-row invariants of regions, cooperatives and households."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from producers.models import Cooperative, Region
from tests.factories import (
    CityFactory,
    CooperativeFactory,
    CountyFactory,
    HouseholdFactory,
    ProvinceFactory,
    RegionFactory,
    TownshipFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db

EAST, WEST = Region.Side.EAST, Region.Side.WEST


def errors_of(instance) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as excinfo:
        instance.full_clean()
    return excinfo.value.message_dict


def test_region_directly_below_its_parent_is_valid():
    county = CountyFactory.build(parent=CityFactory())

    county.full_clean()


def test_region_must_sit_directly_below_its_parent():
    # Given a county placed straight under a province
    county = CountyFactory.build(parent=ProvinceFactory())

    # Then validation rejects the parent
    assert errors_of(county)["parent"] == ["上级区划必须是紧邻的上一级。"]


def test_region_must_be_on_the_side_of_its_parent():
    county = CountyFactory.build(parent=CityFactory(side=WEST), side=EAST)

    assert errors_of(county)["side"] == ["东西部属性必须与上级区划一致。"]


def test_region_without_a_level_reports_the_missing_level():
    region = RegionFactory.build(level=None, parent=ProvinceFactory())

    assert "level" in errors_of(region)


@pytest.mark.parametrize("flag", ["is_poor_county", "is_deep_poverty", "is_supervision_target"])
def test_eastern_region_cannot_carry_a_poverty_flag(flag):
    county = CountyFactory.build(parent=CityFactory(side=EAST), side=EAST, **{flag: True})

    assert errors_of(county)["__all__"] == ["只有西部地区可以标注贫困、深度贫困或挂牌督战。"]


@pytest.mark.parametrize("flag", ["is_poor_county", "is_deep_poverty", "is_supervision_target"])
def test_western_county_can_carry_a_poverty_flag(flag):
    county = CountyFactory.build(parent=CityFactory(side=WEST), side=WEST, **{flag: True})

    county.full_clean()


def test_poor_county_flag_only_fits_a_county():
    township = TownshipFactory.build(parent=CountyFactory(), is_poor_county=True)

    assert errors_of(township)["is_poor_county"] == ["贫困县标注只适用于县级区划。"]


def test_village_can_be_a_supervision_target():
    village = VillageFactory.build(parent=TownshipFactory(), is_supervision_target=True)

    village.full_clean()


def test_database_refuses_a_province_with_a_parent():
    with pytest.raises(IntegrityError), transaction.atomic():
        RegionFactory(level=Region.Level.PROVINCE, parent=ProvinceFactory())


def test_database_refuses_a_county_without_a_parent():
    with pytest.raises(IntegrityError), transaction.atomic():
        RegionFactory(level=Region.Level.COUNTY, parent=None)


def test_region_shows_its_english_name_in_english():
    county = CountyFactory(name="昭觉县", name_en="Zhaojue County")

    with translation.override("en"):
        assert str(county) == "Zhaojue County"
    assert str(county) == "昭觉县"


def test_region_without_an_english_name_shows_its_chinese_name_in_english():
    county = CountyFactory(name="昭觉县", name_en="")

    with translation.override("en"):
        assert str(county) == "昭觉县"


def test_cooperative_in_a_western_village_is_valid():
    cooperative = CooperativeFactory.build(village=VillageFactory(side=WEST))

    cooperative.full_clean()


def test_cooperative_must_be_in_the_west():
    cooperative = CooperativeFactory.build(village=VillageFactory(side=EAST))

    assert errors_of(cooperative)["village"] == ["合作社必须位于西部帮扶地区。"]


@pytest.mark.parametrize("factory", [TownshipFactory, CountyFactory, ProvinceFactory])
def test_cooperative_must_be_in_a_village(factory):
    cooperative = CooperativeFactory.build(village=factory(side=WEST))

    assert "请选择一个村级区划。" in errors_of(cooperative)["village"]


def test_cooperative_takes_its_county_from_its_village():
    # Given a village two levels below its county
    village = VillageFactory()
    county = village.parent.parent

    # When a cooperative there is saved
    cooperative = CooperativeFactory(village=village)

    # Then it belongs to that county
    assert Cooperative.objects.get(pk=cooperative.pk).county == county


def test_cooperative_moved_to_another_village_follows_it_to_its_county():
    cooperative = CooperativeFactory()
    elsewhere = VillageFactory()

    cooperative.village = elsewhere
    cooperative.save()

    assert cooperative.county == elsewhere.parent.parent


def test_cooperative_with_an_invalid_credit_code_is_rejected():
    cooperative = CooperativeFactory.build(
        village=VillageFactory(), credit_code="93513431MA62H4XY0X"
    )

    assert "credit_code" in errors_of(cooperative)


def test_cooperative_with_an_invalid_contact_phone_is_rejected():
    cooperative = CooperativeFactory.build(village=VillageFactory(), contact_phone="0834123456")

    assert "contact_phone" in errors_of(cooperative)


def test_two_cooperatives_cannot_share_a_credit_code():
    existing = CooperativeFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        CooperativeFactory(credit_code=existing.credit_code)


def test_cooperative_is_certified_only_in_the_certified_state():
    assert CooperativeFactory.build(state=Cooperative.State.CERTIFIED).is_certified
    assert not CooperativeFactory.build(state=Cooperative.State.APPLIED).is_certified


def test_household_takes_its_county_from_its_village():
    village = VillageFactory()

    household = HouseholdFactory(village=village)

    assert household.county == village.parent.parent


def test_household_must_be_in_a_village():
    household = HouseholdFactory.build(village=TownshipFactory())

    assert "请选择一个村级区划。" in errors_of(household)["village"]


def test_household_must_have_at_least_one_member():
    household = HouseholdFactory.build(village=VillageFactory(), size=0)

    assert "size" in errors_of(household)


def test_database_refuses_a_household_without_members():
    with pytest.raises(IntegrityError), transaction.atomic():
        HouseholdFactory(size=0)
