"""A settlement loads only the regions and pairings it needs (China has some 3,000
counties and 1,600 pairings); what it decides must equal what the full load, which the
rebuild uses, decides."""

import pytest

from evaluation.attribution import Attribution
from evaluation.models import Pairing
from tests.factories import (
    CityFactory,
    CountyFactory,
    OrganisationFactory,
    PairingFactory,
    ProvinceFactory,
    TownshipFactory,
)

from .factories import east_west_world

pytestmark = pytest.mark.django_db


def answers(attribution: Attribution, world: dict, township) -> tuple:
    addresses = [
        ("浙江", "杭州"),  # province and city without their suffixes
        ("浙江省", "温州市"),  # a city not in the table: placed at the province, with a note
        ("上海市", "上海市"),  # a municipality: the province is exact
        ("火星省", "某市"),  # no such province
    ]
    return (
        [attribution.address_region(state=state, city=city) for state, city in addresses],
        attribution.chain(world["zhaojue"].pk),
        attribution.chain(township.pk),
        attribution.county(world["zhaojue"].pk),
        attribution.county(township.pk),
    )


def test_a_settlement_reads_fewer_regions_and_decides_as_the_full_load():
    world = east_west_world()
    ProvinceFactory(name="上海市", code="31")
    township = TownshipFactory(parent=world["zhaojue"])
    for _ in range(3):  # other counties, which a settlement from Zhaojue never reads
        CountyFactory(parent=CityFactory(parent=world["sichuan"]))

    full = Attribution.load()
    lazy = Attribution.load(region_ids={world["zhaojue"].pk, None})

    assert world["zhaojue"].pk in lazy.regions
    assert len(lazy.regions) < len(full.regions)
    assert answers(lazy, world, township) == answers(full, world, township)
    assert answers(lazy, world, township)[0][0] == (world["hangzhou"].pk, "")
    assert answers(lazy, world, township)[3].is_deep_poverty
    assert answers(lazy, world, township)[4] is None  # a township is no origin county


def test_a_settlement_reads_only_its_origins_pairings_and_finds_the_same_ones():
    # Given pairings on Sichuan (the province), on Liangshan (a city), designated ones on
    # Zhaojue, and others on a county of another city that a Zhaojue settlement never reads
    world = east_west_world()
    unit = OrganisationFactory()
    hangzhou_liangshan = PairingFactory(
        east_region=world["hangzhou"], west_region=world["liangshan"], end_year=None
    )
    designated = [
        PairingFactory(
            kind=Pairing.Kind.DESIGNATED,
            east_region=None,
            assisting_unit=f"中央单位{i}",
            buyer=unit,
            west_region=world["zhaojue"],
            end_year=None,
        )
        for i in range(2)  # the same unit twice: the first (kind, id) wins, as in a full load
    ]
    elsewhere = CountyFactory(parent=CityFactory(parent=world["sichuan"]))
    for _ in range(3):
        PairingFactory(west_region=elsewhere, end_year=None)
    PairingFactory(west_region=elsewhere, east_region=world["hangzhou"], end_year=None)

    full = Attribution.load()
    lazy = Attribution.load(region_ids={world["zhaojue"].pk, world["hangzhou"].pk})

    def loaded(attribution):
        return sum(len(p) for p in attribution.pairings_by_west.values())

    assert loaded(lazy) == 4 < loaded(full) == 8

    # When each asks for the pairing of purchases from Zhaojue, then from the other county
    def pairings(attribution):
        return [
            attribution.pairing_for(
                east_region_id=east,
                organisation_id=organisation,
                origin_county_id=county,
                year=2025,
            )
            for county in (world["zhaojue"].pk, elsewhere.pk)
            for east, organisation in (
                (world["hangzhou"].pk, None),  # the city's pairing beats the province's
                (world["zhejiang"].pk, None),  # only the province's
                (world["hangzhou"].pk, unit.pk),  # the unit's own designated pairing
            )
        ]

    # Then both answer alike: the lazy one reads the other county's pairings when asked
    assert pairings(lazy) == pairings(full)
    assert pairings(full)[:3] == [hangzhou_liangshan, world["pairing"], designated[0]]
    assert loaded(lazy) == 8
