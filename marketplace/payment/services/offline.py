"""Payments and refunds made outside Stripe (a transfer received, demo history), recorded
by the same settlement recorder as a card payment (settlement.py): an Oscar Source with
its transactions, a PAID or REFUND PaymentEvent with its lines' units and money, and one
announcement after commit."""

import datetime
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from core.transactions import retry_on_serialization_failure
from marketplace.payment.events import PAID, REFUND

from .refunds import RefundError, refund_quantities_check
from .settlement import payment_refund_record, payment_settlement_record

Order = get_model("order", "Order")
PaymentEvent = get_model("order", "PaymentEvent")

OFFLINE = "线下支付"


@retry_on_serialization_failure
def order_settle_offline(
    *,
    order,
    reference: str,
    source_name: str = OFFLINE,
    settled_at: datetime.datetime | None = None,
):
    """Record that the whole order was paid outside Stripe and announce it once. A second
    call finds the order paid and returns the same PaymentEvent, announcing nothing."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        paid = PaymentEvent.objects.filter(order=order, event_type__code=PAID).first()
        if paid is not None:
            return paid
        return payment_settlement_record(
            order=order,
            amount=order.total_incl_tax,
            reference=reference,
            source_type_name=source_name,
            when=settled_at,
        )


@retry_on_serialization_failure
def order_refund_offline(
    *,
    order,
    lines_quantities: Mapping,
    reference: str,
    actor,
    refunded_at: datetime.datetime | None = None,
):
    """Record a refund paid back outside Stripe for {line or line id: units}, and announce
    it once. The reference identifies the refund: the same reference twice records once."""
    if not (actor.is_staff and actor.has_perm("order.change_order")):
        raise PermissionDenied
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        existing = PaymentEvent.objects.filter(
            order=order, event_type__code=REFUND, reference=reference
        ).first()
        if existing is not None:
            return existing
        source = order.sources.order_by("pk").first()
        if source is None:
            raise RefundError(_("该订单尚未付款，不能退款。"))
        rows = refund_quantities_check(order=order, lines_quantities=lines_quantities)
        return payment_refund_record(
            order=order,
            reference=reference,
            lines=rows,
            source=source,
            when=refunded_at,
            refund=None,
        )
