from celery import shared_task

from .integrity import ledger_integrity_alert
from .services import events_process
from .services.monitoring import households_monitor


# acks_late only because the service is idempotent: a redelivered message after a worker
# died finds the event either recorded (skipped) or not at all (one transaction).
@shared_task(acks_late=True)
def settlement_allocate_task(payment_event_id: int) -> int:
    return events_process(payment_event_ids=[payment_event_id])


@shared_task(acks_late=True)
def refund_reverse_task(payment_event_id: int) -> int:
    return events_process(payment_event_ids=[payment_event_id])


@shared_task(acks_late=True)
def households_monitor_task() -> int:
    # Idempotent for a day: a warning is unique per household, day and reason.
    return households_monitor()


@shared_task
def ledger_integrity_check_task() -> int:
    # Read-only: a repeated run only logs the same differences again.
    return ledger_integrity_alert()
