"""Deadlocks and serialization failures: PostgreSQL aborts one transaction to stay consistent,
and the services that lock rows run that transaction again (core.transactions). The result is
applied exactly once."""

import logging
import threading
from decimal import Decimal

import psycopg.errors
import pytest
from django.db import OperationalError, connection, transaction
from oscar.core.loading import get_model

from core import transactions as core_transactions
from core.transactions import is_serialization_failure, retry_on_serialization_failure
from evaluation.models import PurchaseFact
from evaluation.services import facts as facts_service
from evaluation.services.facts import purchase_facts_record
from marketplace.payment import gateway
from marketplace.payment.services import checkout as checkout_service
from marketplace.payment.services import order_place_for_payment, payment_attempt_abandon
from producers.income.models import LedgerEntry, ProcessedEvent
from tests.factories import UserFactory
from tests.marketplace.checkout.conftest import basket_with, start_payment
from tests.marketplace.checkout.stripe_fake import FakeStripe
from tests.producers.income.conftest import order_create, settlement_record

from .conftest import cooperative_with_households, postgres_only

Order = get_model("order", "Order")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentAttempt = get_model("payment", "PaymentAttempt")
StockRecord = get_model("partner", "StockRecord")
StockReservation = get_model("payment", "StockReservation")

# PostgreSQL raising the error itself, so that psycopg and Django wrap it as they would a
# real one and the transaction is really aborted.
RAISE_SERIALIZATION_FAILURE = (
    "DO $$ BEGIN RAISE EXCEPTION 'injected fault' USING ERRCODE = 'serialization_failure'; END $$"
)


def _aborted(cause: type[psycopg.errors.Error]) -> OperationalError:
    """Django's error for a transaction the database aborted with `cause`."""
    error = OperationalError("transaction aborted")
    error.__cause__ = cause("injected fault")
    return error


@pytest.fixture
def no_pause(monkeypatch):
    pauses = []
    monkeypatch.setattr(core_transactions.time, "sleep", pauses.append)
    return pauses


# The helper on its own


@pytest.mark.parametrize(
    "cause", [psycopg.errors.SerializationFailure, psycopg.errors.DeadlockDetected]
)
def test_an_aborted_transaction_runs_again_after_a_short_pause(cause, no_pause, fault_count):
    calls = []

    @retry_on_serialization_failure
    def service():
        calls.append(1)
        if len(calls) == 1:
            raise _aborted(cause)
        return "done"

    assert service() == "done"
    fault_count(1)
    assert len(calls) == 2
    assert len(no_pause) == 1 and 0 < no_pause[0] <= 2 * core_transactions.BASE_DELAY_SECONDS


def test_it_gives_up_after_the_last_attempt(no_pause, fault_count):
    calls = []

    @retry_on_serialization_failure(attempts=3)
    def service():
        calls.append(1)
        raise _aborted(psycopg.errors.DeadlockDetected)

    with pytest.raises(OperationalError) as raised:
        service()
    fault_count(3)
    assert len(calls) == 3
    assert is_serialization_failure(raised.value)
    assert len(no_pause) == 2 and no_pause[0] < 2 * no_pause[1]  # the pause grows


def test_other_database_errors_are_not_retried(no_pause, fault_count):
    calls = []

    @retry_on_serialization_failure
    def service():
        calls.append(1)
        raise _aborted(psycopg.errors.QueryCanceled)

    with pytest.raises(OperationalError):
        service()
    fault_count(1)
    assert len(calls) == 1 and no_pause == []


@pytest.mark.django_db
def test_inside_a_callers_transaction_it_runs_once_and_the_caller_decides(no_pause, fault_count):
    calls = []

    @retry_on_serialization_failure
    def service():
        calls.append(1)
        raise _aborted(psycopg.errors.SerializationFailure)

    # The test's own transaction is the outer one: only it could be run again
    assert connection.in_atomic_block
    with pytest.raises(OperationalError):
        service()
    fault_count(1)
    assert len(calls) == 1 and no_pause == []


# Services on PostgreSQL


@pytest.fixture
def stripe_fake():
    fake = FakeStripe()
    gateway.http_client_install(fake)
    yield fake
    gateway.http_client_install(None)


def _abort_once_after(monkeypatch, module, name: str) -> list:
    """Make `module.name` do its work and then have PostgreSQL abort the transaction, the
    first time only. Returns the list of calls."""
    original = getattr(module, name)
    calls = []

    def aborting(*args, **kwargs):
        result = original(*args, **kwargs)
        calls.append(1)
        if len(calls) == 1:
            with connection.cursor() as cursor:
                cursor.execute(RAISE_SERIALIZATION_FAILURE)
        return result

    monkeypatch.setattr(module, name, aborting)
    return calls


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_order_placement_aborted_by_the_database_is_placed_once_on_retry(
    china, stripe_fake, monkeypatch, no_pause, fault_count
):
    # Given a customer's succeeded payment for 3 units of a cooperative's product
    product = cooperative_with_households()
    customer = UserFactory()
    attempt = start_payment(customer, basket_with(customer, [(product, 3)]))
    stripe_fake.succeed(attempt.payment_intent_id)
    calls = _abort_once_after(monkeypatch, checkout_service, "_payment_record")

    # When the database aborts the placing transaction after the payment was recorded
    order = order_place_for_payment(payment_intent_id=attempt.payment_intent_id)
    fault_count(1)

    # Then the service ran again and everything exists exactly once
    assert len(calls) == 2 and len(no_pause) == 1
    assert Order.objects.get() == order
    paid = PaymentEvent.objects.get(order=order, event_type__code="paid")
    assert paid.amount == Decimal("114.00")
    assert order.sources.get().amount_debited == Decimal("114.00")
    assert StockRecord.objects.get(product=product).num_allocated == 3
    assert list(attempt.reservations.values_list("state", flat=True)) == ["converted"]
    # and what the settlement announces downstream happened once
    assert ProcessedEvent.objects.filter(payment_event=paid).count() == 1
    assert LedgerEntry.objects.filter(payment_event=paid).exists()
    assert PurchaseFact.objects.filter(payment_event=paid).count() == 1


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_purchase_facts_aborted_by_the_database_are_written_once_on_retry(
    monkeypatch, no_pause, fault_count
):
    # Given a settled order of 2 units
    product = cooperative_with_households()
    order = order_create(items=[(product, 2, Decimal("38.00"))])
    event = settlement_record(order=order)
    calls = _abort_once_after(monkeypatch, facts_service, "facts_write")

    # When the database aborts the transaction that wrote the facts
    written = purchase_facts_record(payment_event_id=event.pk)
    fault_count(1)

    # Then they are written by the second run, once
    assert len(calls) == 2
    assert [f.pk for f in written] == list(
        PurchaseFact.objects.filter(payment_event=event).values_list("pk", flat=True)
    )
    assert PurchaseFact.objects.filter(payment_event=event).count() == 1
    assert PurchaseFact.objects.get(payment_event=event).amount == Decimal("76.00")


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_real_deadlock_with_another_transaction_is_retried_and_released_once(
    stripe_fake, monkeypatch, caplog, fault_count
):
    """Abandoning a payment locks the attempt, then the stock record; another transaction
    locks the stock record, then the attempt. PostgreSQL finds the cycle and aborts the
    service's transaction (its deadlock_timeout is the shorter); the service runs again."""
    # Given two pending payments holding 2 and 3 units of the same product
    product = cooperative_with_households(num_in_stock=10)
    kept = start_payment(UserFactory(), basket_with(UserFactory(), [(product, 2)]))
    customer = UserFactory()
    abandoned = start_payment(customer, basket_with(customer, [(product, 3)]))
    record = StockRecord.objects.get(product=product)
    assert record.num_allocated == 5
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET deadlock_timeout = '100ms'")
    except OperationalError as exc:  # pragma: no cover  a non-superuser role
        pytest.skip(f"cannot shorten deadlock_timeout: {exc}")

    other_holds_stock = threading.Event()
    service_holds_attempt = threading.Event()
    other_errors = []

    def other_transaction():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET deadlock_timeout = '10s'")
            with transaction.atomic():
                StockRecord.objects.select_for_update().get(pk=record.pk)
                other_holds_stock.set()
                service_holds_attempt.wait(timeout=10)
                PaymentAttempt.objects.select_for_update().get(pk=abandoned.pk)
        except Exception as exc:  # noqa: BLE001  reported below
            other_errors.append(exc)
        finally:
            connection.close()

    release = checkout_service.reservations_release
    runs = []

    def release_after_signalling(*, attempt):
        runs.append(1)
        service_holds_attempt.set()  # the attempt row is locked by now
        return release(attempt=attempt)

    monkeypatch.setattr(checkout_service, "reservations_release", release_after_signalling)
    other = threading.Thread(target=other_transaction)
    other.start()
    assert other_holds_stock.wait(timeout=10)

    # When the service abandons the payment while the other transaction holds the stock
    with caplog.at_level(logging.WARNING, logger="core.transactions"):
        result = payment_attempt_abandon(
            attempt_id=abandoned.pk, state=PaymentAttempt.State.EXPIRED
        )
    other.join(timeout=20)
    fault_count(1)

    # Then PostgreSQL broke the deadlock by aborting the service, which ran again
    assert other_errors == []
    assert len(runs) == 2
    assert "40P01" in caplog.text
    # and the units were released exactly once: the other payment still holds its 2
    assert result.state == PaymentAttempt.State.EXPIRED
    assert StockRecord.objects.get(pk=record.pk).num_allocated == 2
    assert list(abandoned.reservations.values_list("state", flat=True)) == ["released"]
    assert list(kept.reservations.values_list("state", flat=True)) == ["held"]
