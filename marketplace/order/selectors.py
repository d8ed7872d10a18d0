"""Reads of orders, their channels and their per-cooperative shipments. Pages get every
row they render from here, prefetched, so their query count does not grow with the order."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from oscar.core.loading import get_model

from core.money import to_yuan
from marketplace.payment.events import REFUND

Order = get_model("order", "Order")
Line = get_model("order", "Line")
SalesChannel = get_model("order", "SalesChannel")
Shipment = get_model("order", "Shipment")
ShippingEvent = get_model("order", "ShippingEvent")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")
ShippingEventQuantity = get_model("order", "ShippingEventQuantity")
Source = get_model("payment", "Source")


def _units_value_fen(price_fen: int, quantity: int, units: int) -> int:
    # round(price × units / quantity) half up, in whole fen; all units: the price itself.
    if units >= quantity:
        return price_fen
    return (2 * price_fen * units + quantity) // (2 * quantity)


def line_units_value(*, line, units: int, already: int = 0) -> Decimal:
    """What the buyer paid, after discounts, for units `already+1 … already+units` of
    `line`, to the fen. Cumulative rounding: the first k units are worth round(price × k /
    quantity), so any split of the line's units adds up to exactly `line_price_incl_tax`
    (Oscar's price after discounts; `unit_price_incl_tax` is before them), the last units
    taking the remainder. Refunds are priced with it and carried on the payment events."""
    if units < 0 or already < 0 or already + units > line.quantity:
        raise ValueError(f"Units {already}+{units} outside line {line.pk} of {line.quantity}")
    price_fen = int(to_yuan(line.line_price_incl_tax).scaleb(2))
    value = _units_value_fen(price_fen, line.quantity, already + units)
    return to_yuan(Decimal(value - _units_value_fen(price_fen, line.quantity, already)).scaleb(-2))


def sales_channel_active(*, code: str):
    """The active sales channel with this code, or None."""
    if not code:
        return None
    return SalesChannel.objects.filter(code=code, is_active=True).first()


def order_lines(*, order) -> QuerySet:
    """An order's lines with what pages show of each: product, cooperative, partner."""
    return (
        Line.objects.filter(order=order)
        .select_related("product", "cooperative", "partner", "stockrecord")
        .order_by("pk")
    )


def _event_quantities():
    return Prefetch(
        "line_quantities",
        queryset=PaymentEventQuantity.objects.select_related("line").order_by("pk"),
    )


def order_detail_queryset() -> QuerySet:
    """Orders with the rows Oscar's order pages read, prefetched once per relation."""
    return Order.objects.select_related(
        "user",
        "shipping_address__country",
        "billing_address__country",
        "sales_channel",
        "organisation",
    ).prefetch_related(
        "shipments",
        "status_changes",
        # Oscar's OrderDiscount keeps offer and voucher ids, not foreign keys: its `offer`
        # and `voucher` are properties that cannot be prefetched.
        "discounts",
        "notes__user",
        "surcharges",
        Prefetch("sources", queryset=Source.objects.select_related("source_type")),
        Prefetch(
            "shipping_events",
            queryset=ShippingEvent.objects.select_related("event_type").prefetch_related(
                Prefetch(
                    "line_quantities",
                    queryset=ShippingEventQuantity.objects.select_related("line"),
                )
            ),
        ),
        Prefetch(
            "payment_events",
            queryset=PaymentEvent.objects.select_related("event_type").prefetch_related(
                _event_quantities()
            ),
        ),
    )


def order_for_customer(*, user, number: str):
    """The customer's own order, or None."""
    return order_detail_queryset().filter(user=user, number=number).first()


@dataclass
class CooperativeShipment:
    """One cooperative's part of an order: its lines and its shipment (an unsaved pending
    one until the cooperative ships)."""

    cooperative: object
    shipment: Shipment
    lines: list = field(default_factory=list)

    @property
    def is_pending(self) -> bool:
        return self.shipment.state == Shipment.State.PENDING

    @property
    def is_shipped(self) -> bool:
        return self.shipment.state == Shipment.State.SHIPPED


def cooperative_shipments(*, order, lines) -> list[CooperativeShipment]:
    """Group `lines` (already loaded with their cooperative) by cooperative, each with its
    shipment. Reads order.shipments, prefetched by order_detail_queryset."""
    saved = {shipment.cooperative_id: shipment for shipment in order.shipments.all()}
    groups: dict[int, CooperativeShipment] = {}
    for line in lines:
        if line.cooperative_id is None:
            continue
        group = groups.get(line.cooperative_id)
        if group is None:
            shipment = saved.get(line.cooperative_id) or Shipment(
                order=order, cooperative=line.cooperative
            )
            group = groups[line.cooperative_id] = CooperativeShipment(
                cooperative=line.cooperative, shipment=shipment
            )
        group.lines.append(line)
    return list(groups.values())


def refunded_quantities_from(*, order) -> dict[int, int]:
    """Units refunded per line id, from the order's prefetched payment events."""
    done: dict[int, int] = {}
    for event in order.payment_events.all():
        if event.event_type.code == REFUND:
            for quantity in event.line_quantities.all():
                done[quantity.line_id] = done.get(quantity.line_id, 0) + quantity.quantity
    return done
