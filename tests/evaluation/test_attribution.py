"""A settlement loads only the regions it needs (China has some 3,000 counties); what it
decides must equal what the full load, which the rebuild uses, decides."""

import pytest

from evaluation.attribution import Attribution
from tests.factories import CityFactory, CountyFactory, ProvinceFactory, TownshipFactory

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
