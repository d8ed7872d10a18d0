"""Builders the benchmarks share for their small worlds (bulk rows are written per module)."""

from decimal import Decimal

# The scorecard indicators of the evaluation benchmarks: (code, measure, target source,
# priority extra weight, filter), each weighing 25.
INDICATORS = [
    ("bought", "amount_bought", "agreement_bought", "0.20", "all"),
    ("helped", "amount_helped", "agreement_helped", "0", "all"),
    ("products", "certified_products", "agreement_products", "0", "all"),
    ("deep", "amount_bought", "agreement_bought", "0", "deep_poverty"),
    ("households", "households", "agreement_households", "0", "all"),
]


def cooperative_create(*, name: str, number: str, **place):
    """A certified farmers' cooperative; `number` makes its credit code unique, `place` is
    village= or village_id=."""
    from producers.models import Cooperative

    return Cooperative.objects.create(
        legal_name=name,
        credit_code=f"93{number}{'0' * 16}"[:18],
        kind="farmers_cooperative",
        contact_name="李四",
        contact_phone="13800138000",
        state="certified",
        **place,
    )


def indicators_create(*, year: int, codes: list[str]) -> list:
    from evaluation.models import Indicator

    return Indicator.objects.bulk_create(
        Indicator(
            year=year,
            code=code,
            name=code,
            measure=measure,
            target_source=source,
            weight=Decimal("25"),
            priority_extra_weight=Decimal(extra),
            filter=flt,
            # Any fen drives a household, as before decision 0006: the benchmarks' small
            # amounts keep reaching households, and their figures stay comparable.
            income_minimum=Decimal("0.01"),
            position=position,
        )
        for position, (code, measure, source, extra, flt) in enumerate(INDICATORS)
        if code in codes
    )


# China has 34 provincial, about 330 prefectural and about 2,850 county-level divisions.
PROVINCES, CITIES_PER_PROVINCE, COUNTIES_PER_CITY = 34, 10, 8
EAST_PROVINCES = 8  # the first filler provinces are eastern: the helpers' side
# Pairings in the order of China's: about a thousand east–west pairings at county level,
# and about six hundred designated ones (central units, each helping one or a few counties).
EAST_WEST_PAIRINGS, DESIGNATED_PAIRINGS = 1_000, 600


def regions_fill(*, tag: str) -> int:
    """Provinces, cities and counties in China's numbers (3,094 regions, with names no
    address uses), so that what a settlement reads of the region table costs what it
    would in production. Returns how many regions there are in all."""
    from producers.models import Region

    provinces = Region.objects.bulk_create(
        Region(
            code=f"{tag}Z{p:02d}",
            name=f"{tag}填充省{p}",
            level=1,
            side="east" if p < EAST_PROVINCES else "west",
        )
        for p in range(PROVINCES)
    )
    cities = Region.objects.bulk_create(
        Region(
            code=f"{province.code}{c:02d}",
            name=f"{tag}填充市{c}",
            level=2,
            side=province.side,
            parent=province,
        )
        for province in provinces
        for c in range(CITIES_PER_PROVINCE)
    )
    Region.objects.bulk_create(
        Region(code=f"{city.code}{k}", name=f"{tag}填充县{k}", level=3, side=city.side, parent=city)
        for city in cities
        for k in range(COUNTIES_PER_CITY)
    )
    return Region.objects.count()


def pairings_fill(*, tag: str, year: int) -> int:
    """East–west and designated pairings between the filler counties of regions_fill()
    (run first, with the same tag), each with an agreement for `year`, in China's numbers:
    so that what a settlement and a scorecard refresh read of the pairings, and the ranks
    they keep, cost what they would in production. Returns how many pairings there are."""
    from evaluation.models import Pairing
    from producers.models import Region

    counties = Region.objects.filter(code__startswith=f"{tag}Z", level=3).order_by("code")
    east = list(counties.filter(side="east").values_list("pk", flat=True))
    west = list(counties.filter(side="west").values_list("pk", flat=True))
    pairings = Pairing.objects.bulk_create(
        [
            Pairing(
                kind="east_west",
                east_region_id=east[i % len(east)],
                west_region_id=west[i % len(west)],
                start_year=2016,
            )
            for i in range(EAST_WEST_PAIRINGS)
        ]
        + [
            Pairing(
                kind="designated",
                assisting_unit=f"{tag}中央单位{i // 2}",
                west_region_id=west[(EAST_WEST_PAIRINGS + i) % len(west)],
                start_year=2016,
            )
            for i in range(DESIGNATED_PAIRINGS)
        ]
    )
    agreements_create(pairings=pairings, year=year, bought="20000000", helped="5000000", products=5)
    return Pairing.objects.count()


def agreements_create(
    *, pairings: list, year: int, bought: str, helped: str, products: int, households: int = 100
) -> None:
    """An agreement for `year` of each pairing, all with the same targets."""
    from evaluation.models import Agreement

    Agreement.objects.bulk_create(
        Agreement(
            pairing=pairing,
            year=year,
            target_bought=Decimal(bought),
            target_helped=Decimal(helped),
            target_households=households,
            target_certified_products=products,
        )
        for pairing in pairings
    )
