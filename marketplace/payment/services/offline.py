"""Payments and refunds made outside Stripe (a transfer received, demo history), recorded
exactly like a card payment: an Oscar Source with its transactions, a "paid" or "refund"
PaymentEvent with its line quantities, and one announcement after commit."""

import datetime
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from core.money import to_yuan
from core.transactions import retry_on_serialization_failure
from marketplace.payment.events import payment_refunded, payment_settled

from .checkout import _event_type
from .refunds import REFUND, RefundError, refund_quantities_check

Order = get_model("order", "Order")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")
Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")
Transaction = get_model("payment", "Transaction")

PAID = "paid"
OFFLINE = "线下支付"


def _backdate(event, source, when: datetime.datetime | None) -> None:
    # History (the demo) happened earlier; upper layers read the event's date.
    if when is None:
        return
    PaymentEvent.objects.filter(pk=event.pk).update(date_created=when)
    Transaction.objects.filter(source=source, reference=event.reference).update(date_created=when)
    event.date_created = when


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
        amount = to_yuan(order.total_incl_tax)
        source_type, _created = SourceType.objects.get_or_create(name=source_name)
        source = Source.objects.create(
            order=order,
            source_type=source_type,
            currency=order.currency,
            amount_allocated=amount,
            reference=reference,
        )
        source.debit(amount, reference=reference, status="succeeded")
        event = PaymentEvent.objects.create(
            order=order, amount=amount, reference=reference, event_type=_event_type(PAID, "支付")
        )
        for line in order.lines.all():
            PaymentEventQuantity.objects.create(event=event, line=line, quantity=line.quantity)
        _backdate(event, source, settled_at)
        transaction.on_commit(
            lambda: payment_settled.send(sender=PaymentEvent, order=order, payment_event=event)
        )
    return event


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
        lines = {line.pk: line for line in order.lines.all()}
        wanted, amount = refund_quantities_check(
            order=order, lines=lines, lines_quantities=lines_quantities
        )
        event = PaymentEvent.objects.create(
            order=order,
            amount=amount,
            reference=reference,
            event_type=_event_type(REFUND, "退款"),
        )
        line_quantities = []
        for pk, qty in wanted.items():
            PaymentEventQuantity.objects.create(event=event, line=lines[pk], quantity=qty)
            line_quantities.append((lines[pk], qty))
        source.refund(amount, reference=reference, status="succeeded")
        _backdate(event, source, refunded_at)
        transaction.on_commit(
            lambda: payment_refunded.send(
                sender=PaymentEvent,
                order=order,
                payment_event=event,
                refund=None,
                lines=line_quantities,
            )
        )
    return event
