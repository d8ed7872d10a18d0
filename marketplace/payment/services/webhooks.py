"""Stripe webhooks: stored once by event id when they arrive, processed in a Celery task.

A signed event only says which Stripe object changed. Its handler reads that object again
from Stripe (the PaymentIntent, the refund, the invoice) and acts on Stripe's answer, never
on the body: a body signed with a leaked or demo secret cannot place an unpaid order.

Processing is at least once. A try that fails (Stripe unreachable, the database busy) is
counted on the stored event with its error and tried again: by the task's retries with
back-off, by a redelivery of the same event, by the sweep every few minutes
(webhook_events_retry_unprocessed) and by staff from the dashboard. Every handler is
idempotent, so trying again is always safe."""

import contextlib
import datetime
import logging
from collections.abc import Callable

from celery import current_app
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.payment import gateway

from .checkout import order_place_for_payment, payment_attempt_abandon
from .refunds import refund_record_from_stripe

logger = logging.getLogger(__name__)

PaymentAttempt = get_model("payment", "PaymentAttempt")
ProcessedWebhookEvent = get_model("payment", "ProcessedWebhookEvent")

# An event left unprocessed this long after its last try is swept up again (the sweep runs
# every five minutes: CELERY_BEAT_SCHEDULE). Long enough for its own task to have run.
RETRY_GRACE = datetime.timedelta(minutes=2)
SWEEP_BATCH = 200
ERROR_MAX_LENGTH = 2000


# Enqueued by name: marketplace/payment/tasks.py imports these services, so they do not
# import it back.
PROCESS_TASK = "marketplace.payment.tasks.webhook_event_process_task"


def _process_later(event_id: str, **kwargs) -> None:
    current_app.tasks[PROCESS_TASK].delay_on_commit(event_id, **kwargs)


class WebhookEventFailed(Exception):
    """Processing a stored event failed; the failure is recorded on it and it is tried again."""


def webhook_event_receive(*, event: dict) -> bool:
    """Store a verified event and enqueue its processing on commit. A redelivery of an event
    not yet processed (an earlier try failed) enqueues it again; a replay of a processed
    event stores and enqueues nothing. Returns whether processing was enqueued."""
    try:
        with transaction.atomic():
            stored = ProcessedWebhookEvent.objects.create(
                event_id=event["id"], type=event["type"], payload=event
            )
    except IntegrityError:
        stored = ProcessedWebhookEvent.objects.filter(event_id=event["id"]).first()
        if stored is None or stored.processed_at is not None:
            return False
        logger.info("Stripe event %s redelivered before it was processed", stored.event_id)
    _process_later(stored.event_id)
    return True


def _object_id(obj: dict, key: str = "id") -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise gateway.EventMalformed(f"no {key} in the event's object")
    return value


def _attempt_for(payment_intent_id: str):
    return PaymentAttempt.objects.filter(payment_intent_id=payment_intent_id).first()


def _succeeded(obj: dict) -> None:
    payment_intent_id = _object_id(obj)
    if _attempt_for(payment_intent_id) is None:
        logger.warning("payment_intent.succeeded for unknown PaymentIntent %s", payment_intent_id)
        return
    # No `payment_intent=obj`: the service retrieves the PaymentIntent from Stripe and checks
    # its status, amount, currency and metadata against the attempt.
    if order_place_for_payment(payment_intent_id=payment_intent_id) is None:
        logger.error(
            "payment_intent.succeeded for %s, but Stripe does not report it paid as its "
            "attempt expects: no order placed",
            payment_intent_id,
        )


def _failed(obj: dict, *, state: str, stripe_statuses: tuple[str, ...]) -> None:
    payment_intent_id = _object_id(obj)
    attempt = _attempt_for(payment_intent_id)
    if attempt is None or attempt.state != PaymentAttempt.State.PENDING:
        return
    status = gateway.payment_intent_retrieve(payment_intent_id)["status"]
    if status not in stripe_statuses:
        logger.warning(
            "Stripe reports PaymentIntent %s as %s, not failed: attempt %s kept",
            payment_intent_id,
            status,
            attempt.pk,
        )
        return
    payment_attempt_abandon(attempt_id=attempt.pk, state=state)


def _refund_record(refund: dict) -> None:
    """`refund` as Stripe answered it."""
    if refund.get("currency") != gateway.CURRENCY:
        logger.error("Refund %s in %s ignored", refund.get("id"), refund.get("currency"))
        return
    refund_record_from_stripe(refund=refund)


def _refund(obj: dict) -> None:
    _refund_record(gateway.refund_retrieve(_object_id(obj)))


def _charge_refunded(obj: dict) -> None:
    payment_intent_id = _object_id(obj, "payment_intent")
    if _attempt_for(payment_intent_id) is None:
        logger.warning("charge.refunded for unknown PaymentIntent %s", payment_intent_id)
        return
    for refund in gateway.refund_list(payment_intent_id=payment_intent_id):
        _refund_record(refund)


HANDLERS = {
    "payment_intent.succeeded": _succeeded,
    # A declined card leaves the PaymentIntent open (requires_payment_method): the customer
    # may pay it with another card, so the attempt keeps its stock until it expires, unless
    # Stripe has cancelled the intent.
    "payment_intent.payment_failed": lambda obj: _failed(
        obj, state=PaymentAttempt.State.FAILED, stripe_statuses=("canceled",)
    ),
    "payment_intent.canceled": lambda obj: _failed(
        obj, state=PaymentAttempt.State.EXPIRED, stripe_statuses=("canceled",)
    ),
    "charge.refunded": _charge_refunded,
    "refund.created": _refund,
    "refund.updated": _refund,
    "charge.refund.updated": _refund,
}


def webhook_handler_add(*, event_type: str, handler: Callable[[str], object]) -> None:
    """Have `handler(object id)` apply the stored Stripe events of `event_type`: an area
    built on the payment (invoicing: `invoice.paid`) registers its own from its
    AppConfig.ready(), so that the payment never imports the areas above it. An event
    whose object has no id is logged and changes nothing, as for the payment's own."""
    HANDLERS[event_type] = lambda obj: handler(_object_id(obj))


def _try_record(*, event_id: str, error: str | None) -> None:
    now = timezone.now()
    fields = {"attempts": F("attempts") + 1, "last_attempted_at": now}
    if error is None:
        fields["processed_at"] = now
    else:
        fields["last_error"] = error[:ERROR_MAX_LENGTH]
    ProcessedWebhookEvent.objects.filter(event_id=event_id, processed_at=None).update(**fields)


def webhook_event_process(*, event_id: str) -> bool:
    """Apply a stored event. Returns False when there was nothing to do (processed already).
    A failure is recorded on the event and raised as WebhookEventFailed, to be tried again.
    An event of an unexpected shape, or about an object Stripe does not know, is logged and
    marked processed: trying again would not change the answer."""
    stored = ProcessedWebhookEvent.objects.filter(event_id=event_id).first()
    if stored is None or stored.processed_at is not None:
        return False
    handler = HANDLERS.get(stored.type)
    obj = ((stored.payload or {}).get("data") or {}).get("object")
    # Inside a caller's transaction, a failed try rolls back to here and leaves it usable.
    guard = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    try:
        with guard:
            if handler is None:
                logger.info("Stripe event %s (%s) ignored", event_id, stored.type)
            elif not isinstance(obj, dict):
                raise gateway.EventMalformed("the event has no data object")
            else:
                handler(obj)
    except gateway.EventMalformed as exc:
        logger.error("Stripe event %s (%s) ignored: %s", event_id, stored.type, exc)
    except Exception as exc:
        if not gateway.is_not_found(exc):
            logger.warning("Stripe event %s (%s) failed: %r", event_id, stored.type, exc)
            _try_record(event_id=event_id, error=f"{type(exc).__name__}: {exc}")
            raise WebhookEventFailed(event_id) from exc
        logger.error("Stripe event %s (%s) ignored: Stripe: %s", event_id, stored.type, exc)
    _try_record(event_id=event_id, error=None)
    return True


def webhook_events_retry_unprocessed(*, now: datetime.datetime | None = None) -> int:
    """Enqueue again every stored event left unprocessed for longer than RETRY_GRACE since
    it arrived and since its last try (run every few minutes by Celery beat); returns how
    many."""
    cutoff = (now or timezone.now()) - RETRY_GRACE
    # Least recently tried first, so that events that keep failing take turns with newer
    # ones instead of filling every batch.
    event_ids = list(
        ProcessedWebhookEvent.objects.filter(processed_at=None, received_at__lte=cutoff)
        .filter(Q(last_attempted_at=None) | Q(last_attempted_at__lte=cutoff))
        .order_by(F("last_attempted_at").asc(nulls_first=True), "pk")
        .values_list("event_id", flat=True)[:SWEEP_BATCH]
    )
    for event_id in event_ids:
        # One try per sweep: the task's own retries belong to its first enqueueing, so an
        # outage does not multiply tries with every sweep.
        _process_later(event_id, retry=False)
    if event_ids:
        logger.warning("%d unprocessed Stripe events enqueued again", len(event_ids))
    return len(event_ids)


def webhook_event_retry(*, event_id: str, actor) -> ProcessedWebhookEvent:
    """Platform staff try a stored, unprocessed event again now (from the dashboard)."""
    from marketplace.order.services import user_is_platform_staff

    if not user_is_platform_staff(user=actor):
        raise PermissionDenied
    stored = ProcessedWebhookEvent.objects.get(event_id=event_id)
    if stored.processed_at is None:
        logger.info("Stripe event %s retried by user %s", event_id, actor.pk)
        _process_later(stored.event_id)
    return stored
