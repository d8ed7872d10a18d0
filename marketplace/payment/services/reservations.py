"""Stock held for a checkout between the payment page and the payment's outcome."""

from django.db import transaction
from oscar.core.loading import get_model

from marketplace.order.placement import stock_allocate

StockReservation = get_model("payment", "StockReservation")


def stock_reserve(*, attempt, basket) -> list:
    """Hold every basket line's units for `attempt` (allocated by order.placement's
    stock_allocate, which raises partner.models.SoldOut; the caller's transaction then rolls
    back the units already held)."""
    with transaction.atomic():
        return StockReservation.objects.bulk_create(
            StockReservation(
                attempt=attempt,
                stockrecord=stockrecord,
                quantity=quantity,
                expires_at=attempt.expires_at,
            )
            for stockrecord, quantity in stock_allocate(basket=basket)
        )


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
