"""Invariant 4 on PostgreSQL: the same payment event processed by concurrent workers (a
replayed webhook, a redelivered message) is recorded once."""

import threading
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import Sum

from producers.income.models import LedgerEntry, ProcessedEvent
from producers.income.services import events_process

from .conftest import order_create, refund_record, settlement_record

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="real concurrent row locking needs PostgreSQL (set DATABASE_URL)",
    ),
]
WORKERS = 8


@pytest.mark.django_db(transaction=True)
def test_eight_workers_processing_the_same_events_at_once_record_them_once(linked_cooperative):
    # Given a settlement and a refund of one of two units
    order = order_create(items=[(linked_cooperative["product"], 2, Decimal("38.00"))])
    settled = settlement_record(order=order)
    refund = refund_record(order=order, lines=[(order.lines.get(), 1)])
    barrier = threading.Barrier(WORKERS)
    errors = []

    def worker(event_id):
        try:
            barrier.wait()
            events_process(payment_event_ids=[event_id])
        except Exception as exc:  # noqa: BLE001  reported below
            errors.append(exc)
        finally:
            connection.close()

    # When eight workers take the two events at the same moment
    threads = [
        threading.Thread(target=worker, args=[(settled.pk, refund.pk)[i % 2]])
        for i in range(WORKERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then each event is recorded once: half of the sale remains on the ledger
    assert errors == []
    assert ProcessedEvent.objects.count() == 2
    assert LedgerEntry.objects.aggregate(t=Sum("amount"))["t"] == Decimal("38.00")
