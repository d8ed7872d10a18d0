"""Tasks use acks_late: a worker killed midway and the retried message give the same ledger."""

import contextlib
from decimal import Decimal

import pytest

from producers.income import tasks
from producers.income.models import LedgerEntry, LineMovement, LineTrace, ProcessedEvent
from producers.income.services import allocation

from .conftest import order_create, refund_record, settlement_record

pytestmark = pytest.mark.django_db


class WorkerKilled(Exception):
    pass


def _ledger(order) -> list:
    return sorted(
        LedgerEntry.objects.filter(line__order=order).values_list(
            "household_id", "kind", "amount", "scheme_id"
        ),
        key=str,
    )


def test_a_worker_killed_midway_leaves_nothing_and_the_retry_gives_the_same_ledger(
    linked_cooperative, monkeypatch
):
    # Given two identical orders; the first is allocated by a worker that never dies
    product = linked_cooperative["product"]
    clean = order_create(items=[(product, 3, Decimal("38.00"))])
    tasks.settlement_allocate_task.delay(settlement_record(order=clean).pk)
    crashed = order_create(items=[(product, 3, Decimal("38.00"))])
    event = settlement_record(order=crashed)

    # When the worker of the second dies after sending part of the ledger, its COPY open
    streaming = allocation.rows_streaming

    @contextlib.contextmanager
    def stream_then_die(model, fields):
        with streaming(model, fields) as write:

            def write_then_die(rows):
                write(rows)
                raise WorkerKilled

            yield write_then_die

    monkeypatch.setattr(allocation, "rows_streaming", stream_then_die)
    with pytest.raises(WorkerKilled):
        tasks.settlement_allocate_task.delay(event.pk)

    # Then nothing of its work remains
    assert not ProcessedEvent.objects.filter(payment_event=event).exists()
    assert not LedgerEntry.objects.filter(payment_event=event).exists()
    assert not LineMovement.objects.filter(payment_event=event).exists()

    # When the message is delivered again (twice: acks_late may redeliver)
    monkeypatch.setattr(allocation, "rows_streaming", streaming)
    tasks.settlement_allocate_task.delay(event.pk)
    tasks.settlement_allocate_task.delay(event.pk)

    # Then the ledger is the one an uninterrupted worker writes, recorded once
    assert _ledger(crashed) == _ledger(clean)
    assert ProcessedEvent.objects.filter(payment_event=event).count() == 1
    assert LineTrace.objects.filter(line__order=crashed).count() == 1


def test_a_refund_task_run_twice_reverses_once(linked_cooperative):
    order = order_create(items=[(linked_cooperative["product"], 2, Decimal("38.00"))])
    tasks.settlement_allocate_task.delay(settlement_record(order=order).pk)
    refund = refund_record(order=order, lines=[(order.lines.get(), 1)])

    tasks.refund_reverse_task.delay(refund.pk)
    tasks.refund_reverse_task.delay(refund.pk)

    assert sum(LedgerEntry.objects.values_list("amount", flat=True)) == Decimal("38.00")
