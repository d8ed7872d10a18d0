"""Pairings: who helps whom, and for which years."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from evaluation.models import Pairing
from producers.models import Region
from tests.factories import CityFactory, CountyFactory, PairingFactory

pytestmark = pytest.mark.django_db

EAST, WEST = Region.Side.EAST, Region.Side.WEST


def errors_of(pairing: Pairing) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as excinfo:
        pairing.full_clean()
    return excinfo.value.message_dict


def east_west(**kwargs) -> Pairing:
    kwargs.setdefault("east_region", CityFactory(side=EAST))
    kwargs.setdefault("west_region", CountyFactory(side=WEST))
    return PairingFactory.build(kind=Pairing.Kind.EAST_WEST, **kwargs)


def designated(**kwargs) -> Pairing:
    kwargs.setdefault("west_region", CountyFactory(side=WEST))
    kwargs.setdefault("assisting_unit", "国家林业和草原局")
    return PairingFactory.build(kind=Pairing.Kind.DESIGNATED, east_region=None, **kwargs)


def test_east_west_pairing_of_an_eastern_and_a_western_region_is_valid():
    east_west().full_clean()


def test_east_west_pairing_needs_an_eastern_region():
    pairing = east_west(east_region=None)

    assert errors_of(pairing)["east_region"] == ["东西部协作必须指定东部地区。"]


def test_east_west_pairing_rejects_a_western_helper():
    pairing = east_west(east_region=CityFactory(side=WEST))

    assert errors_of(pairing)["east_region"] == ["帮扶方必须是东部地区。"]


def test_designated_pairing_of_a_central_unit_and_a_western_county_is_valid():
    designated().full_clean()


def test_designated_pairing_needs_an_assisting_unit():
    pairing = designated(assisting_unit="")

    assert "定点帮扶必须填写帮扶单位。" in errors_of(pairing)["assisting_unit"]


@pytest.mark.parametrize("make", [east_west, designated], ids=["east_west", "designated"])
def test_pairing_must_help_a_western_region(make):
    pairing = make(west_region=CountyFactory(side=EAST))

    assert errors_of(pairing)["west_region"] == ["受帮扶方必须是西部地区。"]


def test_pairing_cannot_end_before_it_starts():
    pairing = east_west(start_year=2018, end_year=2017)

    assert errors_of(pairing)["end_year"] == ["终止年份不能早于起始年份。"]


@pytest.mark.parametrize("end_year", [2018, 2020, None])
def test_pairing_may_end_in_its_first_year_later_or_never(end_year):
    east_west(start_year=2018, end_year=end_year).full_clean()


def test_pairing_without_a_start_year_reports_the_missing_year():
    pairing = east_west(start_year=None, end_year=2020)

    assert "start_year" in errors_of(pairing)


def test_the_same_pairing_cannot_be_recorded_twice():
    pairing = PairingFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        PairingFactory(east_region=pairing.east_region, west_region=pairing.west_region)


def test_the_same_designated_pairing_cannot_be_recorded_twice():
    pairing = designated()
    pairing.save()

    with pytest.raises(IntegrityError), transaction.atomic():
        designated(west_region=pairing.west_region).save()


def test_pairing_names_the_helper_and_the_helped_in_the_page_language():
    pairing = PairingFactory(
        east_region=CityFactory(side=EAST, name="杭州市", name_en="Hangzhou"),
        west_region=CountyFactory(side=WEST, name="昭觉县", name_en="Zhaojue County"),
    )

    assert str(pairing) == "杭州市 → 昭觉县"
    with translation.override("en"):
        assert str(pairing) == "Hangzhou → Zhaojue County"


def test_designated_pairing_names_the_assisting_unit():
    pairing = designated(west_region=CountyFactory(side=WEST, name="昭觉县"))

    assert str(pairing) == "国家林业和草原局 → 昭觉县"
