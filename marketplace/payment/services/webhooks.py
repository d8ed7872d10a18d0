"""Stripe webhooks: stored once by event id when they arrive, processed in a Celery task."""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.payment import gateway
from producers.db import retry_on_serialization_failure

from .checkout import order_place_for_payment, payment_attempt_abandon
from .refunds import refund_record_from_stripe

logger = logging.getLogger(__name__)

PaymentAttempt = get_model("payment", "PaymentAttempt")
ProcessedWebhookEvent = get_model("payment", "ProcessedWebhookEvent")


def webhook_event_receive(*, event: dict) -> bool:
    """Store a verified event and enqueue its processing on commit. Returns False for an
    event already received (a replay): nothing is stored or enqueued again."""
    from marketplace.payment.tasks import webhook_event_process_task

    try:
        with transaction.atomic():
            stored = ProcessedWebhookEvent.objects.create(
                event_id=event["id"], type=event.get("type", ""), payload=event
            )
    except IntegrityError:
        return False
    webhook_event_process_task.delay_on_commit(stored.event_id)
    return True


def _attempt_for(payment_intent_id: str):
    return PaymentAttempt.objects.filter(payment_intent_id=payment_intent_id).first()


def _succeeded(obj: dict) -> None:
    order_place_for_payment(payment_intent_id=obj["id"], payment_intent=obj)


def _failed(obj: dict, state: str) -> None:
    attempt = _attempt_for(obj["id"])
    if attempt is not None:
        payment_attempt_abandon(attempt_id=attempt.pk, state=state)


def _charge_refunded(obj: dict) -> None:
    refunds = (obj.get("refunds") or {}).get("data")
    if refunds is None and obj.get("payment_intent"):
        refunds = gateway.refund_list(payment_intent_id=obj["payment_intent"])
    for refund in refunds or []:
        refund_record_from_stripe(refund={"payment_intent": obj.get("payment_intent"), **refund})


HANDLERS = {
    "payment_intent.succeeded": _succeeded,
    "payment_intent.payment_failed": lambda obj: _failed(obj, PaymentAttempt.State.FAILED),
    "payment_intent.canceled": lambda obj: _failed(obj, PaymentAttempt.State.EXPIRED),
    "charge.refunded": _charge_refunded,
    "refund.created": lambda obj: refund_record_from_stripe(refund=obj),
    "refund.updated": lambda obj: refund_record_from_stripe(refund=obj),
    "charge.refund.updated": lambda obj: refund_record_from_stripe(refund=obj),
}


@retry_on_serialization_failure
def webhook_event_process(*, event_id: str) -> bool:
    """Apply a stored event once. Every handler is idempotent as well, so a task retried
    after a crash is harmless. Returns False when there was nothing to do."""
    with transaction.atomic():
        stored = ProcessedWebhookEvent.objects.select_for_update().get(event_id=event_id)
        if stored.processed_at is not None:
            return False
        handler = HANDLERS.get(stored.type)
        if handler is not None:
            handler(stored.payload["data"]["object"])
        else:
            logger.info("Stripe event %s (%s) ignored", event_id, stored.type)
        stored.processed_at = timezone.now()
        stored.save(update_fields=["processed_at"])
    return True
