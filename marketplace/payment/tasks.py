from celery import shared_task

from .services import (
    order_place_for_payment,
    reservations_release_expired,
    webhook_event_process,
)


@shared_task(acks_late=True)
def webhook_event_process_task(event_id: str) -> bool:
    # Idempotent: a processed event is marked and skipped.
    return webhook_event_process(event_id=event_id)


@shared_task(acks_late=True)
def order_place_for_payment_task(payment_intent_id: str) -> bool:
    # Idempotent: the order is placed once under the attempt's row lock.
    return order_place_for_payment(payment_intent_id=payment_intent_id) is not None


@shared_task(acks_late=True)
def reservations_release_expired_task() -> int:
    # Idempotent: only pending attempts past their expiry are selected.
    return reservations_release_expired()
