"""Refunds: whole orders or chosen lines, from the dashboard, through Stripe; and refunds
Stripe reports by webhook. Each is recorded once (by Stripe's refund id) as an Oscar
payment event of type "refund" and announced once with payment_refunded."""

import logging
from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from core.transactions import retry_on_serialization_failure
from marketplace.payment import gateway
from marketplace.payment.events import REFUND

from .checkout import order_place_for_payment
from .settlement import (
    payment_refund_record,
    refund_amount_split,
    refund_lines_value,
    refunded_by_line,
)

logger = logging.getLogger(__name__)

Line = get_model("order", "Line")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")
PaymentAttempt = get_model("payment", "PaymentAttempt")
StripeRefund = get_model("payment", "StripeRefund")


class RefundError(Exception):
    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


def refunded_quantities(*, order) -> dict[int, int]:
    """Units already refunded, by order line id."""
    rows = (
        PaymentEventQuantity.objects.filter(event__order=order, event__event_type__code=REFUND)
        .values("line_id")
        .annotate(quantity=Sum("quantity"))
    )
    return {row["line_id"]: row["quantity"] for row in rows}


def _lines_encode(lines: Mapping[int, int]) -> str:
    return ",".join(f"{line_id}x{qty}" for line_id, qty in sorted(lines.items()))


def _lines_decode(text: str) -> dict[str, int]:
    lines = {}
    for part in filter(None, (text or "").split(",")):
        line_id, _sep, qty = part.partition("x")
        if all(s.isdecimal() and s.isascii() for s in (line_id, qty)):
            lines[line_id] = int(qty)
    return lines


def refund_quantities_check(
    *, order, lines_quantities: Mapping | None
) -> list[tuple[object, int, Decimal]]:
    """(line, units, money) to refund, or RefundError in the customer's words.
    `lines_quantities` is {line or line id: units}; None asks for every unit not yet
    refunded; no line may go below zero. Money is what the buyer paid for those units
    (line_units_value), never more than is left of the line."""
    lines = {line.pk: line for line in order.lines.all()}
    done = refunded_by_line(order=order)
    units_done = {pk: units for pk, (units, _money) in done.items()}
    if lines_quantities is None:
        wanted = {pk: line.quantity - units_done.get(pk, 0) for pk, line in lines.items()}
    else:
        wanted = {getattr(k, "pk", k): int(v) for k, v in lines_quantities.items()}
    wanted = {pk: qty for pk, qty in wanted.items() if qty > 0}
    if not wanted:
        raise RefundError(_("请选择要退款的商品和数量。"))
    for pk, qty in wanted.items():
        line = lines.get(pk)
        if line is None or qty > line.quantity - units_done.get(pk, 0):
            raise RefundError(_("退款数量超过可退数量。"))
    rows = refund_lines_value(lines=lines, wanted=wanted, done=done)
    if sum(money for _line, _units, money in rows) <= 0:
        raise RefundError(_("所选商品已没有可退金额。"))
    return rows


@retry_on_serialization_failure
def order_refund(*, order, lines_quantities: Mapping | None, actor) -> StripeRefund:
    """Refund `lines_quantities` ({line or line id: units}) of a paid order, or every unit
    not yet refunded when it is None. The Stripe idempotency key is derived from the order
    number, the lines and the number of earlier refunds, so a retried call never refunds
    twice."""
    if not (actor.is_staff and actor.has_perm("order.change_order")):
        raise PermissionDenied
    with transaction.atomic():
        attempt = PaymentAttempt.objects.select_for_update().filter(order=order).first()
        if attempt is None:
            raise RefundError(_("该订单没有可退款的在线支付。"))
        rows = refund_quantities_check(order=order, lines_quantities=lines_quantities)
        wanted = {line.pk: units for line, units, _money in rows}
        amount = sum(money for _line, _units, money in rows)
        earlier = attempt.refunds.count()
        encoded = _lines_encode(wanted)
        key = f"dongxi-refund-{order.number}-{earlier + 1}-{encoded}"
        try:
            stripe_refund = gateway.refund_create(
                payment_intent_id=attempt.payment_intent_id,
                amount=amount,
                metadata={"order_number": order.number, "lines": encoded},
                idempotency_key=key,
            )
        except gateway.GatewayError as exc:
            logger.exception("Refund of order %s failed at Stripe", order.number)
            raise RefundError(_("支付渠道退款失败，请稍后再试。")) from exc
        refund, _created = StripeRefund.objects.get_or_create(
            stripe_refund_id=stripe_refund["id"],
            defaults={
                "attempt": attempt,
                "amount": amount,
                "lines": {str(pk): qty for pk, qty in wanted.items()},
                "idempotency_key": key,
                "actor": actor,
            },
        )
        _refund_apply(refund=refund, order=order)
    return refund


def _refund_apply(*, refund: StripeRefund, order) -> None:
    """Record a refund on its order, once: Oscar payment event, source refund, event."""
    if refund.is_applied:
        return
    lines = order.lines.in_bulk([int(pk) for pk in refund.lines])
    done = refunded_by_line(order=order)
    wanted = {int(pk): qty for pk, qty in refund.lines.items() if int(pk) in lines}
    if wanted:
        rows = refund_lines_value(lines=lines, wanted=wanted, done=done)
    else:
        all_lines = {line.pk: line for line in order.lines.all()}
        rows = refund_amount_split(lines=all_lines, amount=refund.amount, done=done)
    source = order.sources.filter(reference=refund.attempt.payment_intent_id).first()
    event = payment_refund_record(
        order=order,
        reference=refund.stripe_refund_id,
        lines=rows,
        amount=refund.amount,
        source=source,
        sender=StripeRefund,
        refund=refund,
    )
    refund.payment_event = event
    refund.save(update_fields=["payment_event"])


def refunds_apply_pending(*, attempt, order) -> None:
    """Refunds Stripe reported before the order existed, applied now that it does."""
    for refund in attempt.refunds.filter(payment_event=None):
        _refund_apply(refund=refund, order=order)


@retry_on_serialization_failure
def refund_record_from_stripe(*, refund: Mapping) -> StripeRefund | None:
    """A refund Stripe reports (made here or in Stripe's dashboard). A refund implies a
    payment that succeeded, so a refund reported before payment_intent.succeeded first
    places the order, then applies the refund: the final state is the same in any order."""
    if refund.get("status") in ("failed", "canceled"):
        return None
    payment_intent_id = refund.get("payment_intent")
    attempt = PaymentAttempt.objects.filter(payment_intent_id=payment_intent_id).first()
    if attempt is None:
        logger.warning("Refund %s for unknown PaymentIntent %s", refund["id"], payment_intent_id)
        return None
    if attempt.order_id is None:
        order_place_for_payment(payment_intent_id=payment_intent_id)
    with transaction.atomic():
        attempt = PaymentAttempt.objects.select_for_update().get(pk=attempt.pk)
        metadata = refund.get("metadata") or {}
        stored, _created = StripeRefund.objects.get_or_create(
            stripe_refund_id=refund["id"],
            defaults={
                "attempt": attempt,
                "amount": gateway.from_fen(refund["amount"]),
                "lines": _lines_decode(metadata.get("lines", "")),
            },
        )
        if attempt.order_id is not None:
            _refund_apply(refund=stored, order=attempt.order)
    return stored
