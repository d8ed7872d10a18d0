"""Demo income tracing: supply lots and monitoring thresholds before the demo orders settle
(their settlements then build the ledger through the tasks), payouts and the nightly
early-warning check after. Every loader is idempotent."""

import datetime
import random
from decimal import Decimal

from django.db.models import Max, Q, Sum
from django.utils import timezone
from oscar.core.loading import get_model

from core.money import to_yuan
from producers.income.models import IncomeThreshold, LedgerEntry, Payout, SupplyLot, SupplyLotItem
from producers.income.services.monitoring import households_monitor
from producers.models import BenefitKind, BenefitLink, Cooperative, Region

# 1.5 × the national poverty line (about ¥4,000 per head in 2020), raised a little each
# year as several provinces did. Stored as data: a province may set its own.
THRESHOLDS = {
    2020: "6000.00",
    2021: "6000.00",
    2022: "6300.00",
    2023: "6500.00",
    2024: "6800.00",
    2025: "7000.00",
    2026: "7200.00",
}
HARVESTS = (datetime.date(2023, 9, 15), datetime.date(2024, 9, 15), datetime.date(2025, 9, 15))
PAYOUT_DELAY = datetime.timedelta(days=45)


def thresholds_load() -> int:
    created = 0
    for province in Region.objects.filter(level=Region.Level.PROVINCE, side=Region.Side.WEST):
        for year, amount in THRESHOLDS.items():
            _threshold, was_created = IncomeThreshold.objects.get_or_create(
                province=province, year=year, defaults={"amount_per_head": Decimal(amount)}
            )
            created += was_created
    return created


def supply_lots_load() -> int:
    """A harvest lot a year for each certified cooperative's products, bought from some of
    its produce suppliers (sales after a harvest split their produce share by it)."""
    Product = get_model("catalogue", "Product")
    rng = random.Random(2023)  # noqa: S311  demo data
    created = 0
    cooperatives = Cooperative.objects.filter(state=Cooperative.State.CERTIFIED).order_by("pk")
    for cooperative in cooperatives:
        suppliers = list(
            BenefitLink.objects.filter(cooperative=cooperative, kind=BenefitKind.PRODUCE_SUPPLY)
            .order_by("household_id")
            .values_list("household_id", flat=True)
        )
        if not suppliers:
            continue
        for product in Product.objects.filter(cooperative=cooperative).order_by("pk"):
            for harvest in HARVESTS:
                lot, was_created = SupplyLot.objects.get_or_create(
                    cooperative=cooperative,
                    product=product,
                    supplied_on=harvest,
                    defaults={"note": "秋季收购"},
                )
                if not was_created:
                    continue
                created += 1
                chosen = rng.sample(suppliers, min(len(suppliers), rng.randint(3, 8)))
                SupplyLotItem.objects.bulk_create(
                    SupplyLotItem(
                        lot=lot,
                        household_id=household_id,
                        quantity=Decimal(rng.randrange(50, 2000)) / 10,
                    )
                    for household_id in sorted(chosen)
                )
    return created


def payouts_load() -> int:
    """Cooperatives pay most households what was booked up to 45 days ago; one household in
    five is left unpaid so the county office's overdue list shows something."""
    today = timezone.localdate()
    cutoff = today - PAYOUT_DELAY
    due = (
        LedgerEntry.objects.filter(household__isnull=False)
        .values_list("household_id", "cooperative_id")
        .annotate(total=Sum("amount", filter=Q(booked_on__lte=cutoff)), last=Max("booked_on"))
        .order_by("household_id", "cooperative_id")
    )
    paid = {
        (h, c): total
        for h, c, total in Payout.objects.values_list("household_id", "cooperative_id").annotate(
            total=Sum("amount")
        )
    }
    payouts = []
    for household_id, cooperative_id, total, _last in due:
        if household_id % 5 == 0 or not total:
            continue
        amount = to_yuan((total or 0) - paid.get((household_id, cooperative_id), 0))
        if amount <= 0:
            continue
        payouts.append(
            Payout(
                cooperative_id=cooperative_id,
                household_id=household_id,
                amount=amount,
                paid_on=cutoff,
                method=Payout.Method.BANK,
                reference=f"DEMO-{cooperative_id}-{household_id}-{cutoff:%Y%m%d}",
            )
        )
    Payout.objects.bulk_create(payouts)
    return len(payouts)


def income_before_orders_load() -> dict:
    return {"thresholds": thresholds_load(), "supply_lots": supply_lots_load()}


def income_after_orders_load() -> dict:
    """Run after the demo orders' transaction committed (their tasks built the ledger)."""
    return {"payouts": payouts_load(), "warnings": households_monitor()}
