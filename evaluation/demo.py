"""Demo pairings: real east–west cooperation pairs, plus one designated-assistance pair."""

from django.db import transaction

from producers.models import Region

from .models import Pairing

EAST_WEST = [
    ("35", "64", 1996),  # Fujian → Ningxia, the "Min–Ning" model
    ("33", "51", 2016),  # Zhejiang → Sichuan
    ("3301", "5226", 2016),  # Hangzhou → Qiandongnan
    ("4401", "5205", 2016),  # Guangzhou → Bijie
    ("31", "53", 1996),  # Shanghai → Yunnan
    ("3501", "6211", 2016),  # Fuzhou → Dingxi
    ("3502", "6229", 2016),  # Xiamen → Linxia
]
DESIGNATED = [("中央定点帮扶单位（演示）", "533323", 2015)]


@transaction.atomic
def pairings_load(*, regions: dict[str, Region]) -> list[Pairing]:
    pairings = []
    for east, west, since in EAST_WEST:
        pairing, _ = Pairing.objects.get_or_create(
            kind=Pairing.Kind.EAST_WEST,
            east_region=regions[east],
            assisting_unit="",
            west_region=regions[west],
            defaults={"start_year": since},
        )
        pairings.append(pairing)
    for unit, west, since in DESIGNATED:
        pairing, _ = Pairing.objects.get_or_create(
            kind=Pairing.Kind.DESIGNATED,
            east_region=None,
            assisting_unit=unit,
            west_region=regions[west],
            defaults={"start_year": since},
        )
        pairings.append(pairing)
    return pairings
