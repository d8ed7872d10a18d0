"""Fulfilment: each cooperative ships its own lines of an order, recorded as Oscar
shipping events, and the customer is told by email."""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from core.transactions import retry_on_serialization_failure
from marketplace.payment.events import PAID, REFUND

Order = get_model("order", "Order")
Line = get_model("order", "Line")
Shipment = get_model("order", "Shipment")
ShippingEvent = get_model("order", "ShippingEvent")
ShippingEventType = get_model("order", "ShippingEventType")
ShippingEventQuantity = get_model("order", "ShippingEventQuantity")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")

SHIPPED = "shipped"
DELIVERED = "delivered"


class ShipmentError(Exception):
    """A shipment that cannot be recorded; `message` is for the user."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


def user_is_platform_staff(*, user) -> bool:
    return bool(user.is_staff and user.has_perm("order.change_order"))


def user_ships_for(*, user, cooperative) -> bool:
    """Platform staff, or staff of this cooperative (members of its Oscar partner)."""
    if user_is_platform_staff(user=user):
        return True
    partner = getattr(cooperative, "partner", None)
    return partner is not None and partner.users.filter(pk=user.pk).exists()


def _event_type(code: str, name: str):
    event_type, _created = ShippingEventType.objects.get_or_create(
        code=code, defaults={"name": name}
    )
    return event_type


def _order_is_paid(order) -> bool:
    return PaymentEvent.objects.filter(order=order, event_type__code=PAID).exists()


def _refunded(order) -> dict[int, int]:
    rows = (
        PaymentEventQuantity.objects.filter(event__order=order, event__event_type__code=REFUND)
        .values("line_id")
        .annotate(quantity=Sum("quantity"))
    )
    return {row["line_id"]: row["quantity"] for row in rows}


@retry_on_serialization_failure
def shipment_create(
    *,
    order,
    cooperative,
    carrier: str,
    tracking_number: str,
    actor,
    shipped_at: datetime.datetime | None = None,
    notify: bool = True,
) -> Shipment:
    """A cooperative ships every unit of its lines of a paid order not refunded. Only
    that cooperative's staff (or platform staff) may; the customer gets a shipping email
    (unless `notify` is False: demo history)."""
    if not user_ships_for(user=actor, cooperative=cooperative):
        raise PermissionDenied
    carrier, tracking_number = carrier.strip(), tracking_number.strip()
    if not carrier or not tracking_number:
        raise ShipmentError(_("请填写快递公司和快递单号。"))
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        shipment = Shipment.objects.filter(order=order, cooperative=cooperative).first()
        if shipment is not None and shipment.state != Shipment.State.PENDING:
            raise ShipmentError(_("该合作社的商品已发货。"))
        lines = list(Line.objects.filter(order=order, cooperative=cooperative).order_by("pk"))
        if not lines:
            raise ShipmentError(_("该订单中没有这个合作社的商品。"))
        # Organisation orders pay on invoice after acceptance, so they ship unpaid.
        if order.organisation_id is None and not _order_is_paid(order):
            raise ShipmentError(_("订单尚未付款，不能发货。"))
        refunded = _refunded(order)
        to_ship = [(line, line.quantity - refunded.get(line.pk, 0)) for line in lines]
        to_ship = [(line, qty) for line, qty in to_ship if qty > 0]
        if not to_ship:
            raise ShipmentError(_("这些商品已全部退款，无需发货。"))
        event = ShippingEvent.objects.create(
            order=order,
            event_type=_event_type(SHIPPED, "已发货"),
            notes=f"{carrier} {tracking_number}",
        )
        for line, qty in to_ship:
            ShippingEventQuantity.objects.create(event=event, line=line, quantity=qty)
        shipped_at = shipped_at or timezone.now()
        if shipped_at != event.date_created:
            ShippingEvent.objects.filter(pk=event.pk).update(date_created=shipped_at)
        shipment = shipment or Shipment(order=order, cooperative=cooperative)
        shipment.state = Shipment.State.SHIPPED
        shipment.carrier = carrier
        shipment.tracking_number = tracking_number
        shipment.shipped_at = shipped_at
        shipment.shipped_by = actor
        shipment.shipping_event = event
        shipment.full_clean()
        shipment.save()
        if notify:
            from .tasks import shipment_email_send_task

            shipment_email_send_task.delay_on_commit(shipment.pk)
    return shipment


@retry_on_serialization_failure
def shipment_deliver(
    *, shipment: Shipment, actor, delivered_at: datetime.datetime | None = None
) -> Shipment:
    """A shipped parcel has arrived."""
    if not user_ships_for(user=actor, cooperative=shipment.cooperative):
        raise PermissionDenied
    with transaction.atomic():
        shipment = Shipment.objects.select_for_update().get(pk=shipment.pk)
        if shipment.state != Shipment.State.SHIPPED:
            raise ShipmentError(_("只有已发货的包裹才能确认送达。"))
        delivered_at = delivered_at or timezone.now()
        shipped = shipment.shipping_event
        event = ShippingEvent.objects.create(
            order_id=shipment.order_id,
            event_type=_event_type(DELIVERED, "已送达"),
            notes=shipment.tracking_number,
        )
        for quantity in shipped.line_quantities.all() if shipped else []:
            ShippingEventQuantity.objects.create(
                event=event, line_id=quantity.line_id, quantity=quantity.quantity
            )
        ShippingEvent.objects.filter(pk=event.pk).update(date_created=delivered_at)
        shipment.state = Shipment.State.DELIVERED
        shipment.delivered_at = delivered_at
        shipment.save(update_fields=["state", "delivered_at"])
    return shipment
