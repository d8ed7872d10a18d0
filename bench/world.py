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
            position=position,
        )
        for position, (code, measure, source, extra, flt) in enumerate(INDICATORS)
        if code in codes
    )


# China has 34 provincial, about 330 prefectural and about 2,850 county-level divisions.
PROVINCES, CITIES_PER_PROVINCE, COUNTIES_PER_CITY = 34, 10, 8


def regions_fill(*, tag: str) -> int:
    """Provinces, cities and counties in China's numbers (3,094 regions, with names no
    address uses), so that what a settlement reads of the region table costs what it
    would in production. Returns how many regions there are in all."""
    from producers.models import Region

    provinces = Region.objects.bulk_create(
        Region(code=f"{tag}Z{p:02d}", name=f"{tag}填充省{p}", level=1, side="west")
        for p in range(PROVINCES)
    )
    cities = Region.objects.bulk_create(
        Region(
            code=f"{province.code}{c:02d}",
            name=f"{tag}填充市{c}",
            level=2,
            side="west",
            parent=province,
        )
        for province in provinces
        for c in range(CITIES_PER_PROVINCE)
    )
    Region.objects.bulk_create(
        Region(code=f"{city.code}{k}", name=f"{tag}填充县{k}", level=3, side="west", parent=city)
        for city in cities
        for k in range(COUNTIES_PER_CITY)
    )
    return Region.objects.count()
