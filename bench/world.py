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
