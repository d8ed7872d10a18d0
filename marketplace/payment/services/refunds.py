"""Refunds through Stripe: whole orders or chosen units from the dashboard, and refunds
Stripe reports by webhook (made here or in Stripe's dashboard). Each is recorded on its
order once, as a REFUND payment event carrying each line's units and money, and announced
once with payment_refunded, and only once Stripe reports it succeeded.

Stripe is called outside row locks. (a) Locked: the units are checked and priced
(line_units_value) and a StripeRefund stored pending with its idempotency key; commit.
(b) Stripe is asked, with that key. (c) Locked: Stripe's answer is recorded: succeeded
applies the refund; pending waits for the webhook or the sweep; failed or canceled marks
it failed and the units may be refunded again. A crash between (b) and (c) leaves it
pending: refunds_pending_sweep (Celery beat) asks Stripe again and records it once."""

import datetime
import logging
from collections.abc import Mapping
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from core.transactions import retry_on_serialization_failure
from marketplace.payment import gateway

from .checkout import order_place_for_payment
from .settlement import (
    refund_lines_value,
    refunded_by_line,
    stripe_refund_apply,
)

logger = logging.getLogger(__name__)

Order = get_model("order", "Order")
PaymentAttempt = get_model("payment", "PaymentAttempt")
StripeRefund = get_model("payment", "StripeRefund")
RefundState = StripeRefund.State

# A refund still pending this long after it was last looked at is asked about again.
PENDING_GRACE = datetime.timedelta(minutes=5)
# Stripe keeps an idempotency key for 24 hours: within that a refund whose request may
# never have reached Stripe is asked again with the same key; later it is given up.
KEY_LIFETIME = datetime.timedelta(hours=23)
SWEEP_BATCH = 100
STRIPE_FAILED = ("failed", "canceled")


class RefundError(Exception):
    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


def refunded_quantities(*, order) -> dict[int, int]:
    """Units already refunded, by order line id."""
    return {pk: units for pk, (units, _money) in refunded_by_line(order=order).items()}


def _lines_encode(lines: Mapping[int, int]) -> str:
    return ",".join(f"{line_id}x{qty}" for line_id, qty in sorted(lines.items()))


def _lines_decode(text: str) -> dict[str, int]:
    lines = {}
    for part in filter(None, (text or "").split(",")):
        line_id, _sep, qty = part.partition("x")
        if all(s.isdecimal() and s.isascii() for s in (line_id, qty)):
            lines[line_id] = int(qty)
    return lines


def _in_flight(*, order) -> dict[int, tuple[int, Decimal]]:
    """(units, money) of refunds asked of Stripe and not yet settled either way."""
    out: dict[int, tuple[int, Decimal]] = {}
    pending = StripeRefund.objects.filter(
        attempt__order=order, state=RefundState.PENDING, payment_event=None
    )
    for refund in pending:
        for pk, units in refund.lines.items():
            money = Decimal(refund.line_amounts.get(pk, "0"))
            done_units, done_money = out.get(int(pk), (0, Decimal("0.00")))
            out[int(pk)] = (done_units + units, done_money + money)
    return out


def refund_quantities_check(
    *, order, lines_quantities: Mapping | None
) -> list[tuple[object, int, Decimal]]:
    """(line, units, money) to refund, or RefundError in the customer's words.
    `lines_quantities` is {line or line id: units}; None asks for every unit not yet
    refunded (nor being refunded); no line may go below zero. Money is what the buyer paid
    for those units (line_units_value), never more than is left of the line."""
    lines = {line.pk: line for line in order.lines.all()}
    done = refunded_by_line(order=order)
    for pk, (units, money) in _in_flight(order=order).items():
        done_units, done_money = done.get(pk, (0, Decimal("0.00")))
        done[pk] = (done_units + units, done_money + money)
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
def _refund_request(*, order, lines_quantities: Mapping | None, actor) -> StripeRefund:
    """(a) The refund checked, priced and stored pending with its idempotency key."""
    with transaction.atomic():
        attempt = PaymentAttempt.objects.select_for_update().filter(order=order).first()
        if attempt is None:
            raise RefundError(_("该订单没有可退款的在线支付。"))
        order = Order.objects.select_for_update().get(pk=order.pk)
        rows = refund_quantities_check(order=order, lines_quantities=lines_quantities)
        wanted = {line.pk: units for line, units, _money in rows}
        # The key names the order, the how-many-th refund and the lines: a retried
        # request never refunds twice, and never reuses another refund's key.
        key = f"dongxi-refund-{order.number}-{attempt.refunds.count() + 1}-{_lines_encode(wanted)}"
        return StripeRefund.objects.create(
            attempt=attempt,
            state=RefundState.PENDING,
            amount=sum(money for _line, _units, money in rows),
            lines={str(line.pk): units for line, units, _money in rows},
            line_amounts={str(line.pk): str(money) for line, _units, money in rows},
            idempotency_key=key,
            actor=actor,
        )


def _stripe_refund_ask(refund: StripeRefund) -> dict:
    """(b) Ask Stripe for the refund, with its idempotency key: asked twice, Stripe refunds
    once and answers the same refund."""
    lines = {int(pk): units for pk, units in refund.lines.items()}
    answer = gateway.refund_create(
        payment_intent_id=refund.attempt.payment_intent_id,
        amount=refund.amount,
        metadata={
            "order_number": refund.attempt.order_number,
            "lines": _lines_encode(lines),
            "dongxi_refund": str(refund.pk),
        },
        idempotency_key=refund.idempotency_key,
    )
    return answer.to_dict() if hasattr(answer, "to_dict") else dict(answer)


def _outcome_apply(*, stored: StripeRefund, answer: Mapping, attempt) -> None:
    """Stripe's answer on a locked StripeRefund, under the attempt's lock."""
    status = answer.get("status")
    if not stored.stripe_refund_id:
        stored.stripe_refund_id = answer["id"]
    if stored.state == RefundState.PENDING:
        if status == "succeeded":
            stored.state = RefundState.SUCCEEDED
        elif status in STRIPE_FAILED:
            stored.state = RefundState.FAILED
            logger.warning("Refund %s %s at Stripe: nothing refunded", stored.pk, status)
    elif stored.state == RefundState.SUCCEEDED and status in STRIPE_FAILED:
        # Rare (a bank returns the money): staff must settle it by hand.
        logger.error("Refund %s reported %s after it succeeded", stored.stripe_refund_id, status)
    stored.save(update_fields=["stripe_refund_id", "state", "updated_at"])
    if stored.state == RefundState.SUCCEEDED and attempt.order_id is not None:
        stripe_refund_apply(refund=stored, order=attempt.order)


@retry_on_serialization_failure
def refund_outcome_record(*, refund_id: int, stripe_refund: Mapping) -> StripeRefund:
    """(c) Record Stripe's answer about a refund made here, once (locked)."""
    with transaction.atomic():
        attempt_id = StripeRefund.objects.values_list("attempt_id", flat=True).get(pk=refund_id)
        attempt = PaymentAttempt.objects.select_for_update().get(pk=attempt_id)
        stored = StripeRefund.objects.select_for_update().get(pk=refund_id)
        _outcome_apply(stored=stored, answer=stripe_refund, attempt=attempt)
    return stored


def _refund_give_up(*, refund_id: int) -> StripeRefund:
    with transaction.atomic():
        stored = StripeRefund.objects.select_for_update().get(pk=refund_id)
        if stored.state == RefundState.PENDING and not stored.stripe_refund_id:
            stored.state = RefundState.FAILED
            stored.save(update_fields=["state", "updated_at"])
    return stored


def order_refund(*, order, lines_quantities: Mapping | None, actor) -> StripeRefund:
    """Refund `lines_quantities` ({line or line id: units}) of a paid order through Stripe,
    or every unit not yet refunded when it is None. Returns the StripeRefund: succeeded
    (recorded), or pending until Stripe confirms it. RefundError when nothing can be
    refunded or Stripe refused."""
    if not (actor.is_staff and actor.has_perm("order.change_order")):
        raise PermissionDenied
    refund = _refund_request(order=order, lines_quantities=lines_quantities, actor=actor)
    try:
        answer = _stripe_refund_ask(refund)
    except gateway.GatewayError as exc:
        if gateway.is_refused(exc):
            logger.warning("Stripe refused refund %s of order %s: %s", refund.pk, order.number, exc)
            _refund_give_up(refund_id=refund.pk)
            raise RefundError(_("支付渠道退款失败，请稍后再试。")) from exc
        # Stripe may or may not have refunded: the sweep asks again with the same key.
        logger.exception("Refund %s of order %s: no answer from Stripe", refund.pk, order.number)
        raise RefundError(
            _("支付渠道暂未确认退款，系统将自动向支付渠道确认，请勿重复退款。")
        ) from exc
    return refund_outcome_record(refund_id=refund.pk, stripe_refund=answer)


def _stored_for(*, refund: Mapping, attempt) -> StripeRefund | None:
    stored = StripeRefund.objects.filter(stripe_refund_id=refund["id"]).first()
    if stored is None:
        # Made here, but the process stopped before Stripe's answer was recorded.
        pk = (refund.get("metadata") or {}).get("dongxi_refund", "")
        if pk.isdecimal() and pk.isascii():
            stored = StripeRefund.objects.filter(
                pk=int(pk), attempt=attempt, stripe_refund_id=None
            ).first()
    return stored


@retry_on_serialization_failure
def refund_record_from_stripe(*, refund: Mapping) -> StripeRefund | None:
    """A refund Stripe reports (made here or in Stripe's dashboard), as Stripe answered
    it. Recorded on the order once it succeeds. A refund implies a payment that succeeded,
    so a refund reported before payment_intent.succeeded first places the order, then
    applies the refund: the final state is the same in any order."""
    payment_intent_id = refund.get("payment_intent")
    attempt = PaymentAttempt.objects.filter(payment_intent_id=payment_intent_id).first()
    if attempt is None:
        logger.warning("Refund %s for unknown PaymentIntent %s", refund["id"], payment_intent_id)
        return None
    if attempt.order_id is None and refund.get("status") == "succeeded":
        order_place_for_payment(payment_intent_id=payment_intent_id)
    with transaction.atomic():
        attempt = PaymentAttempt.objects.select_for_update().get(pk=attempt.pk)
        stored = _stored_for(refund=refund, attempt=attempt)
        if stored is None:
            if refund.get("status") in STRIPE_FAILED:
                return None
            metadata = refund.get("metadata") or {}
            stored = StripeRefund.objects.create(
                stripe_refund_id=refund["id"],
                attempt=attempt,
                state=RefundState.PENDING,
                amount=gateway.from_fen(refund["amount"]),
                lines=_lines_decode(metadata.get("lines", "")),
            )
        stored = StripeRefund.objects.select_for_update().get(pk=stored.pk)
        _outcome_apply(stored=stored, answer=refund, attempt=attempt)
    return stored


def _find_at_stripe(refund: StripeRefund) -> dict | None:
    for answer in gateway.refund_list(payment_intent_id=refund.attempt.payment_intent_id):
        if (answer.get("metadata") or {}).get("dongxi_refund") == str(refund.pk):
            return answer
    return None


def refund_pending_resolve(*, refund_id: int, now: datetime.datetime | None = None):
    """Ask Stripe again about a pending refund and record its answer once: by its id, or,
    when the process stopped before Stripe's answer was recorded, among the
    PaymentIntent's refunds; a refund Stripe never got is asked for again with the same
    idempotency key while Stripe still keeps it, and given up after."""
    now = now or timezone.now()
    refund = StripeRefund.objects.select_related("attempt").get(pk=refund_id)
    if refund.state != RefundState.PENDING:
        return refund
    if refund.stripe_refund_id:
        answer = gateway.refund_retrieve(refund.stripe_refund_id)
    else:
        answer = _find_at_stripe(refund)
        if answer is None:
            if not refund.lines or refund.created_at <= now - KEY_LIFETIME:
                logger.error("Refund %s never reached Stripe: given up", refund.pk)
                return _refund_give_up(refund_id=refund.pk)
            answer = _stripe_refund_ask(refund)
    return refund_outcome_record(refund_id=refund.pk, stripe_refund=answer)


def refunds_pending_sweep(*, now: datetime.datetime | None = None) -> int:
    """Resolve every refund left pending for longer than PENDING_GRACE (run every few
    minutes by Celery beat); returns how many are no longer pending."""
    now = now or timezone.now()
    refund_ids = list(
        StripeRefund.objects.filter(state=RefundState.PENDING, updated_at__lte=now - PENDING_GRACE)
        .order_by("updated_at", "pk")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    resolved = 0
    for refund_id in refund_ids:
        try:
            refund = refund_pending_resolve(refund_id=refund_id, now=now)
        except gateway.GatewayError:
            logger.warning("Refund %s: Stripe not reachable, tried again later", refund_id)
            continue
        resolved += refund.state != RefundState.PENDING
    return resolved
