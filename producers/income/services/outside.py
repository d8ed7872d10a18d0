"""Money that reached a cooperative outside the store (a sale the eastern side organised off
the platform, decision 0007) goes on the ledger once the cooperative records the supply lot
behind it, split by the same rules as a store line (`engine.line_split`, the scheme and
links in force on the day of the sale) with no platform fee, produce supply by that lot
alone. The recording app names each sale by an opaque `reference`; a correction there
reverses the reference's entries here, exactly and once."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.money import to_yuan
from producers.models import Cooperative, Household

from ..models import LedgerEntry, OutsideSale, OutsideSaleReversal, SupplyLot, SupplyLotItem
from .benefits import Benefits, benefits_load
from .engine import line_split
from .supply import supply_items_check

ZERO = Decimal("0.00")


def outside_sale_split(
    *, benefits: Benefits, cooperative_id: int, sold_on: datetime.date, amount: Decimal, supply
) -> list[tuple[tuple, Decimal]]:
    """[((household id | None, kind, scheme id), amount)] of an outside sale: its whole amount
    (no platform fee) split as a store line's net amount sold that day, produce supply by
    `supply` [(household id, quantity)]. Pure: shared by booking and the rebuild."""
    scheme, weights = benefits.for_outside(cooperative_id, sold_on, supply)
    return line_split(net=amount, scheme=scheme, weights=weights)


def outside_sale_book(
    *,
    cooperative: Cooperative,
    product,
    quantity: int,
    amount: Decimal,
    sold_on: datetime.date,
    reference: str,
    supply: list[tuple[Household, Decimal]],
    actor,
) -> OutsideSale:
    """Book a sale of `product` made outside the store, with the lot of produce the
    cooperative bought from its households for it (`supply`: household, quantity), into
    the ledger. Once per (reference, product): a second time is refused (a database
    constraint), so nothing is booked twice."""
    if product.cooperative_id != cooperative.pk:
        raise PermissionDenied
    supply_items_check(cooperative=cooperative, items=supply)
    amount = to_yuan(amount)
    if amount < 0:
        raise ValidationError(_("金额不能为负数。"))
    now = timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                sale = OutsideSale.objects.create(
                    cooperative=cooperative,
                    product=product,
                    quantity=quantity,
                    amount=amount,
                    sold_on=sold_on,
                    reference=reference,
                    recorded_by=actor,
                    created_at=now,
                )
        except IntegrityError as exc:
            raise ValidationError(_("这笔销售的收购批次已经登记过了。")) from exc
        lot = SupplyLot.objects.create(
            cooperative=cooperative,
            product=product,
            supplied_on=sold_on,
            created_by=actor,
            outside_sale=sale,
        )
        SupplyLotItem.objects.bulk_create(
            SupplyLotItem(lot=lot, household=household, quantity=qty) for household, qty in supply
        )
        benefits = benefits_load(
            cooperative_ids={cooperative.pk}, product_ids=set(), first_day=sold_on, last_day=sold_on
        )
        parts = outside_sale_split(
            benefits=benefits,
            cooperative_id=cooperative.pk,
            sold_on=sold_on,
            amount=amount,
            supply=[(household.pk, qty) for household, qty in supply],
        )
        LedgerEntry.objects.bulk_create(
            LedgerEntry(
                household_id=household_id,
                cooperative=cooperative,
                outside_sale=sale,
                kind=kind,
                scheme_id=scheme_id,
                amount=part,
                booked_on=sold_on,
                created_at=now,
            )
            for (household_id, kind, scheme_id), part in parts
        )
    return sale


def outside_sales_reverse(*, reference: str, on: datetime.date) -> int:
    """Take back every sale booked under `reference` that is not taken back yet: negative
    entries, booked `on`, each the exact opposite of what the sale still holds. Once per
    sale (a database constraint). Returns the number of sales reversed."""
    now = timezone.now()
    reversed_ids = []
    with transaction.atomic():
        pending = list(
            OutsideSale.objects.filter(reference=reference)
            .exclude(pk__in=OutsideSaleReversal.objects.values("outside_sale_id"))
            .order_by("pk")
            .values_list("pk", "cooperative_id")
        )
        cooperatives = {}
        for pk, cooperative_id in pending:
            try:
                with transaction.atomic():
                    OutsideSaleReversal.objects.create(
                        outside_sale_id=pk, reversed_on=on, created_at=now
                    )
            except IntegrityError:  # reversed meanwhile
                continue
            reversed_ids.append(pk)
            cooperatives[pk] = cooperative_id
        balances = (
            LedgerEntry.objects.filter(outside_sale_id__in=reversed_ids)
            .values_list("outside_sale_id", "household_id", "kind", "scheme_id")
            .annotate(total=Sum("amount"))
            .order_by()
        )
        LedgerEntry.objects.bulk_create(
            LedgerEntry(
                household_id=household_id,
                cooperative_id=cooperatives[sale_id],
                outside_sale_id=sale_id,
                kind=kind,
                scheme_id=scheme_id,
                amount=-total,
                booked_on=on,
                created_at=now,
            )
            for sale_id, household_id, kind, scheme_id, total in sorted(
                balances, key=lambda row: (row[0], row[1] is None, row[1] or 0, row[2])
            )
            if total
        )
    return len(reversed_ids)


def outside_sale_booked(*, reference: str) -> bool:
    """Whether a sale under `reference` is on the ledger (reversed or not)."""
    return OutsideSale.objects.filter(reference=reference).exists()


def outside_ledger_expected() -> dict[tuple, Decimal]:
    """What the ledger should hold for every sale outside the store, recomputed from the
    sales, their lots and the benefit records: {(outside sale id, reversal?, household id,
    kind, scheme id): amount}."""
    rows = list(
        OutsideSale.objects.order_by("pk").values_list(
            "pk", "cooperative_id", "amount", "sold_on", "reversal__reversed_on"
        )
    )
    if not rows:
        return {}
    supply = defaultdict(list)
    for sale_id, household_id, quantity in (
        SupplyLotItem.objects.filter(lot__outside_sale__isnull=False)
        .order_by("household_id")
        .values_list("lot__outside_sale_id", "household_id", "quantity")
    ):
        supply[sale_id].append((household_id, quantity))
    benefits = benefits_load(
        cooperative_ids={row[1] for row in rows},
        product_ids=set(),
        first_day=min(row[3] for row in rows),
        last_day=max(row[3] for row in rows),
    )
    expected = {}
    for pk, cooperative_id, amount, sold_on, reversed_on in rows:
        parts = outside_sale_split(
            benefits=benefits,
            cooperative_id=cooperative_id,
            sold_on=sold_on,
            amount=amount,
            supply=supply[pk],
        )
        for (household_id, kind, scheme_id), part in parts:
            expected[(pk, False, household_id, kind, scheme_id)] = part
            if reversed_on is not None:
                expected[(pk, True, household_id, kind, scheme_id)] = -part
    return expected


def outside_ledger_stored() -> dict[tuple, Decimal]:
    """The same keys as outside_ledger_expected, from the stored entries (a negative entry is
    a reversal's)."""
    stored = defaultdict(lambda: ZERO)
    for sale_id, household_id, kind, scheme_id, amount in LedgerEntry.objects.filter(
        outside_sale__isnull=False
    ).values_list("outside_sale_id", "household_id", "kind", "scheme_id", "amount"):
        stored[(sale_id, amount < 0, household_id, kind, scheme_id)] += amount
    return dict(stored)
