"""Celery wrappers: ids in, one service call. acks_late so that a worker lost mid-task
leaves the message to be redelivered; the services are idempotent."""

from celery import shared_task

from .services.facts import purchase_facts_record
from .services.offplatform import offplatform_facts_record
from .services.retention import households_retention_run
from .services.scoring import scorecards_refresh_open_years


@shared_task(acks_late=True)
def purchase_facts_settle_task(payment_event_id: int) -> int:
    return len(purchase_facts_record(payment_event_id=payment_event_id))


@shared_task(acks_late=True)
def purchase_facts_refund_task(payment_event_id: int) -> int:
    return len(purchase_facts_record(payment_event_id=payment_event_id))


@shared_task(acks_late=True)
def scorecards_refresh_open_years_task() -> int:
    """Nightly: recompute every open year in full, picking up changed agreements or
    indicators and households reached that the income ledger recorded after the facts."""
    return len(scorecards_refresh_open_years())


@shared_task(acks_late=True)
def offplatform_facts_task(sale_id: int) -> int:
    """After a cooperative confirms an off-platform sale: its facts, the reversal of the
    record it corrects, and the scorecards they touch."""
    return len(offplatform_facts_record(sale_id=sale_id))


@shared_task(acks_late=True)
def households_retention_task() -> int:
    """Nightly: erase the personal data of households past their retention period."""
    return len(households_retention_run().erased)
