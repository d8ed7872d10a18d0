"""Demo evaluation: real east–west cooperation pairs plus one designated-assistance pair,
with agreements, targets and indicators for 2025 and 2026."""

from decimal import Decimal

from django.db import transaction

from evaluation.models import Agreement, EvaluationYear, Indicator
from producers.models import Pairing, Region

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


# Yearly targets per pairing (east code or unit, west code): amount bought, amount helped to
# sell, households, people driven (registered members of those households), certified
# products. 2026 raises the bar for some pairings and lowers it
# for others, so that grades differ between pairings and between years.
TARGETS = {
    2025: {
        ("33", "51"): ("3000", "800", 20, 60, 4),
        ("3301", "5226"): ("1500", "300", 10, 30, 2),
        ("31", "53"): ("4000", "1500", 20, 60, 3),
        ("35", "64"): ("1500", "200", 10, 30, 2),
        ("3501", "6211"): ("800", "100", 5, 15, 1),
        ("4401", "5205"): ("2000", "500", 10, 30, 2),
        ("3502", "6229"): ("2000", "500", 10, 30, 2),
        ("中央定点帮扶单位（演示）", "533323"): ("5000", "1000", 20, 60, 2),
    },
    2026: {
        ("33", "51"): ("12000", "3000", 40, 120, 8),
        ("3301", "5226"): ("1000", "200", 8, 24, 2),
        ("31", "53"): ("3000", "1000", 15, 45, 3),
        ("35", "64"): ("6000", "800", 30, 90, 5),
        ("3501", "6211"): ("600", "100", 5, 15, 1),
        ("4401", "5205"): ("2000", "500", 10, 30, 2),
        ("3502", "6229"): ("2000", "500", 10, 30, 2),
        ("中央定点帮扶单位（演示）", "533323"): ("5000", "1000", 20, 60, 2),
    },
}

# code, name, measure, filter, target source, weight, extra weight for deep poverty
INDICATORS = {
    2025: [
        ("bought", "采购额", "amount_bought", "all", "agreement_bought", "45", "0.20"),
        ("helped", "帮助销售额", "amount_helped", "all", "agreement_helped", "20", "0"),
        ("households", "带动建档立卡户", "households", "all", "agreement_households", "10", "0"),
        ("people", "带动贫困人口", "people", "all", "agreement_people", "10", "0"),
        (
            "products",
            "销售认定扶贫产品",
            "certified_products",
            "all",
            "agreement_products",
            "15",
            "0",
        ),
    ],
    2026: [
        ("bought", "采购额", "amount_bought", "all", "agreement_bought", "40", "0.20"),
        ("helped", "帮助销售额", "amount_helped", "all", "agreement_helped", "20", "0"),
        ("households", "带动建档立卡户", "households", "all", "agreement_households", "10", "0"),
        ("people", "带动贫困人口", "people", "all", "agreement_people", "10", "0"),
        (
            "products",
            "销售认定扶贫产品",
            "certified_products",
            "all",
            "agreement_products",
            "20",
            "0",
        ),
    ],
}


def _pairing_key(pairing: Pairing) -> tuple[str, str]:
    helper = pairing.east_region.code if pairing.east_region_id else pairing.assisting_unit
    return helper, pairing.west_region.code


@transaction.atomic
def evaluation_targets_load(*, pairings: list[Pairing]) -> int:
    """Agreements with targets and the year's indicators for 2025 and 2026. Idempotent:
    existing rows are left as they are. Returns how many agreements were created."""
    created = 0
    by_key = {_pairing_key(p): p for p in pairings}
    for year, targets in TARGETS.items():
        EvaluationYear.objects.get_or_create(year=year)
        for key, (bought, helped, households, people, products) in targets.items():
            pairing = by_key.get(key)
            if pairing is None:
                continue
            _agreement, made = Agreement.objects.get_or_create(
                pairing=pairing,
                year=year,
                defaults={
                    "target_bought": Decimal(bought),
                    "target_helped": Decimal(helped),
                    "target_households": households,
                    "target_people": people,
                    "target_certified_products": products,
                    "reference": f"{year}年东西部协作协议书（演示）",
                },
            )
            created += made
        for position, (code, name, measure, flt, source, weight, extra) in enumerate(
            INDICATORS[year]
        ):
            Indicator.objects.get_or_create(
                year=year,
                code=code,
                defaults={
                    "name": name,
                    "measure": measure,
                    "filter": flt,
                    "target_source": source,
                    "weight": Decimal(weight),
                    "priority_extra_weight": Decimal(extra),
                    "position": position,
                },
            )
    return created
