import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from producers.models import BenefitKind, BenefitLink, Cooperative, Household

from ..models import SupplyLot, SupplyLotItem


def supply_items_check(*, cooperative: Cooperative, items: list[tuple[Household, Decimal]]) -> None:
    """A lot's items: at least one, one line per household, households the cooperative buys
    produce from (a produce-supply link), quantities above zero."""
    if not items:
        raise ValidationError(_("请至少填写一户的收购数量。"))
    households = [household for household, _qty in items]
    if len({h.pk for h in households}) != len(households):
        raise ValidationError(_("同一农户只能填写一行。"))
    suppliers = set(
        BenefitLink.objects.filter(
            cooperative=cooperative, kind=BenefitKind.PRODUCE_SUPPLY
        ).values_list("household_id", flat=True)
    )
    if any(h.pk not in suppliers for h in households):
        raise ValidationError(_("只能填写与本社有产品收购联结的农户。"))
    if any(qty <= 0 for _h, qty in items):
        raise ValidationError(_("收购数量必须大于0。"))


def supply_lot_record(
    *,
    cooperative: Cooperative,
    product,
    supplied_on: datetime.date,
    items: list[tuple[Household, Decimal]],
    actor,
    note: str = "",
) -> SupplyLot:
    """A cooperative records produce it bought from its households for one product: sales
    filled from this lot split their produce share by these quantities."""
    if product.cooperative_id != cooperative.pk:
        raise PermissionDenied
    if supplied_on > timezone.localdate():
        raise ValidationError({"supplied_on": _("收购日期不能晚于今天。")})
    supply_items_check(cooperative=cooperative, items=items)
    with transaction.atomic():
        lot = SupplyLot.objects.create(
            cooperative=cooperative,
            product=product,
            supplied_on=supplied_on,
            note=note,
            created_by=actor,
        )
        SupplyLotItem.objects.bulk_create(
            SupplyLotItem(lot=lot, household=h, quantity=qty) for h, qty in items
        )
    return lot
