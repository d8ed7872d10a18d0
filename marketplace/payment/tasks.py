from celery import shared_task

from .services.checkout import reservations_release_expired
from .services.refunds import refunds_pending_sweep
from .services.webhooks import (
    WebhookEventFailed,
    webhook_event_process,
    webhook_events_retry_unprocessed,
)

# A failed webhook event is tried again after 30 s, 1 min, 2 min… (at most 30 min apart),
# eight times; after that (and meanwhile) the sweep below picks it up every five minutes.
WEBHOOK_RETRY_BASE_SECONDS = 30
WEBHOOK_RETRY_MAX_SECONDS = 30 * 60
WEBHOOK_MAX_RETRIES = 8


@shared_task(bind=True, acks_late=True, max_retries=WEBHOOK_MAX_RETRIES)
def webhook_event_process_task(self, event_id: str, retry: bool = True) -> bool:
    # Idempotent: a processed event is marked and skipped; a failure is recorded on the event.
    try:
        return webhook_event_process(event_id=event_id)
    except WebhookEventFailed as exc:
        if self.request.is_eager or not retry:
            # No worker (the demo, tests), or a sweep's single try: the sweep, a redelivery
            # or staff try the recorded event again.
            return False
        countdown = min(
            WEBHOOK_RETRY_BASE_SECONDS * 2**self.request.retries, WEBHOOK_RETRY_MAX_SECONDS
        )
        raise self.retry(exc=exc, countdown=countdown) from exc


@shared_task(acks_late=True)
def webhook_events_retry_unprocessed_task() -> int:
    # Idempotent: enqueues only events still unprocessed; processing them is idempotent.
    return webhook_events_retry_unprocessed()


@shared_task(acks_late=True)
def reservations_release_expired_task() -> int:
    # Idempotent: only pending attempts past their expiry are selected.
    return reservations_release_expired()


@shared_task(acks_late=True)
def refunds_pending_sweep_task() -> int:
    # Idempotent: each pending refund's outcome is recorded once, under its row lock.
    return refunds_pending_sweep()
