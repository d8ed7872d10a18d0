"""Stock held for a checkout between the payment page and the payment's outcome."""

from collections import defaultdict

from django.db import transaction
from oscar.core.loading import get_model

StockRecord = get_model("partner", "StockRecord")
StockReservation = get_model("payment", "StockReservation")


def stock_reserve(*, attempt, basket) -> list:
    """Hold every basket line's units for `attempt`. Stock records are taken in primary-key
    order, each by a conditional UPDATE (StockRecord.allocate), so concurrent checkouts
    neither oversell nor deadlock. Raises partner.models.SoldOut; the caller's transaction
    then rolls back the units already held."""
    quantities: dict[int, int] = defaultdict(int)
    for line in basket.all_lines():
        quantities[line.stockrecord_id] += line.quantity
    reservations = []
    with transaction.atomic():
        for stockrecord_id in sorted(quantities):
            stockrecord = StockRecord.objects.select_related(
                "product__product_class", "product__parent__product_class"
            ).get(pk=stockrecord_id)
            stockrecord.allocate(quantities[stockrecord_id])
            reservations.append(
                StockReservation.objects.create(
                    attempt=attempt,
                    stockrecord=stockrecord,
                    quantity=quantities[stockrecord_id],
                    expires_at=attempt.expires_at,
                )
            )
    return reservations


def reservations_release(*, attempt) -> int:
    """Give back the units still held for `attempt`; returns how many reservations."""
    held = list(
        attempt.reservations.filter(state=StockReservation.State.HELD)
        .select_related("stockrecord__product__product_class")
        .order_by("stockrecord_id")
    )
    for reservation in held:
        reservation.stockrecord.cancel_allocation(reservation.quantity)
        reservation.state = StockReservation.State.RELEASED
        reservation.save(update_fields=["state"])
    return len(held)


def reservations_convert(*, attempt) -> int:
    """The order now owns the held units: they stay allocated as the order lines'
    allocation (Oscar consumes it when the lines ship)."""
    return attempt.reservations.filter(state=StockReservation.State.HELD).update(
        state=StockReservation.State.CONVERTED
    )
