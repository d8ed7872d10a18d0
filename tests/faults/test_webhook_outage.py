"""Stripe hung or failing while a stored webhook event is processed. The event is kept with
its failed tries counted, a redelivery during the outage tries it again instead of being
dropped as a replay, a failed task is retried with growing back-off, and once Stripe is
back the periodic sweep processes it within one beat period: the refund is recorded once."""

import datetime

import pytest
from celery.exceptions import Retry
from celery.schedules import crontab
from django.conf import settings
from oscar.core.loading import get_model

from marketplace.payment import gateway
from marketplace.payment.services import order_place_for_payment
from marketplace.payment.tasks import (
    webhook_event_process_task,
    webhook_events_retry_unprocessed_task,
)
from tests.factories import UserFactory
from tests.faults.conftest import silent_server
from tests.marketplace.checkout.conftest import basket_with, event, start_payment, webhook_post
from tests.marketplace.checkout.stripe_fake import FailingStripe
from tests.store_factories import tea_and_honey

PaymentEvent = get_model("order", "PaymentEvent")
ProcessedWebhookEvent = get_model("payment", "ProcessedWebhookEvent")
StripeRefund = get_model("payment", "StripeRefund")

pytestmark = pytest.mark.django_db

BEAT_PERIOD = datetime.timedelta(minutes=5)


@pytest.fixture
def fake():
    fake = FailingStripe()
    gateway.http_client_install(fake)
    yield fake
    gateway.http_client_install(None)


@pytest.fixture
def hung_stripe(settings, fake):
    """Call to make Stripe hang: a silent server, reached through the production HTTP client
    (which gives up after STRIPE_TIMEOUT_SECONDS); call the returned `back()` to have the
    fake Stripe answer again."""
    real_base = settings.STRIPE_API_BASE
    with silent_server() as (base_url, accepted):

        def hang():
            settings.STRIPE_API_BASE = base_url
            settings.STRIPE_TIMEOUT_SECONDS = 1
            gateway.http_client_install(None)

        def back():
            settings.STRIPE_API_BASE = real_base
            gateway.http_client_install(fake)

        hang.back = back
        hang.accepted = accepted
        yield hang


@pytest.fixture
def refunded_at_stripe(fake):
    """A paid order (2 teas, 1 honey), one tea of it refunded in Stripe's dashboard: the
    charge.refunded event Stripe sends for it."""
    customer = UserFactory()
    tea, honey = tea_and_honey()
    attempt = start_payment(customer, basket_with(customer, [(tea, 2), (honey, 1)]))
    fake.succeed(attempt.payment_intent_id)
    order = order_place_for_payment(payment_intent_id=attempt.payment_intent_id)
    fake.refund_made_at_stripe(attempt.payment_intent_id, 3800)
    charge = {"id": "ch_1", "object": "charge", "payment_intent": attempt.payment_intent_id}
    return order, event("evt_refunded", "charge.refunded", charge)


def _deliver(client, body, capture):
    with capture(execute=True):
        return webhook_post(client, body)


def _beat_period_passes() -> None:
    earlier = ProcessedWebhookEvent.objects.get()
    ProcessedWebhookEvent.objects.filter(pk=earlier.pk).update(
        received_at=earlier.received_at - BEAT_PERIOD,
        last_attempted_at=earlier.last_attempted_at - BEAT_PERIOD,
    )


def _refunds_recorded(order) -> int:
    return PaymentEvent.objects.filter(order=order, event_type__code="refund").count()


def test_the_sweep_runs_every_beat_period():
    entry = settings.CELERY_BEAT_SCHEDULE["stripe-webhook-events-retry-unprocessed"]
    assert entry["task"] == webhook_events_retry_unprocessed_task.name
    assert entry["schedule"] == crontab(minute=f"*/{BEAT_PERIOD.seconds // 60}")


def test_refund_reported_while_stripe_hangs_is_recorded_once_within_one_beat_period(
    client, fake, hung_stripe, refunded_at_stripe, fault_count, django_capture_on_commit_callbacks
):
    order, body = refunded_at_stripe

    # When charge.refunded arrives while Stripe hangs
    hung_stripe()
    first = _deliver(client, body, django_capture_on_commit_callbacks)

    # Then Stripe is answered (the event is kept), the try is counted with its error
    assert first.status_code == 200
    assert hung_stripe.accepted, "the handler did reach the hung server"
    stored = ProcessedWebhookEvent.objects.get()
    assert stored.processed_at is None
    assert stored.attempts == 1
    assert "APIConnectionError" in stored.last_error
    assert _refunds_recorded(order) == 0

    # When Stripe redelivers the event during the outage
    again = _deliver(client, body, django_capture_on_commit_callbacks)

    # Then it is tried again, not dropped as a replay
    assert again.status_code == 200
    stored.refresh_from_db()
    assert (stored.processed_at, stored.attempts) == (None, 2)
    fault_count(2)

    # When Stripe is back and one beat period later the beat runs its sweep
    hung_stripe.back()
    _beat_period_passes()
    with django_capture_on_commit_callbacks(execute=True):
        swept = webhook_events_retry_unprocessed_task.delay().get()

    # Then the refund is recorded, once
    assert swept == 1
    stored.refresh_from_db()
    assert stored.processed_at is not None and stored.attempts == 3
    assert _refunds_recorded(order) == 1
    assert StripeRefund.objects.get().amount == 38
    assert order.sources.get().amount_refunded == 38

    # And the next sweep and another redelivery change nothing
    _beat_period_passes()
    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_events_retry_unprocessed_task.delay().get() == 0
    _deliver(client, body, django_capture_on_commit_callbacks)
    assert _refunds_recorded(order) == 1
    assert order.sources.get().amount_refunded == 38


def test_the_sweep_leaves_an_event_within_its_grace_period_to_its_own_task(
    client, fake, refunded_at_stripe, django_capture_on_commit_callbacks
):
    order, body = refunded_at_stripe
    fake.down = True
    _deliver(client, body, django_capture_on_commit_callbacks)
    fake.down = False

    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_events_retry_unprocessed_task.delay().get() == 0

    assert ProcessedWebhookEvent.objects.get().processed_at is None


def test_a_failed_task_is_retried_with_growing_back_off(
    client, fake, refunded_at_stripe, fault_count, monkeypatch, django_capture_on_commit_callbacks
):
    order, body = refunded_at_stripe
    fake.down = True
    _deliver(client, body, django_capture_on_commit_callbacks)
    countdowns = []

    def retry(*, exc, countdown):
        countdowns.append(countdown)
        return Retry(exc=exc, when=countdown)

    monkeypatch.setattr(webhook_event_process_task, "retry", retry)

    # When a worker (not eager) runs the task four times while Stripe is down
    for retries in range(4):
        webhook_event_process_task.push_request(retries=retries, is_eager=False)
        try:
            with pytest.raises(Retry):
                webhook_event_process_task.run("evt_refunded")
        finally:
            webhook_event_process_task.pop_request()
    fault_count(fake.failures)

    # Then each is retried later than the one before, and every try is counted
    assert countdowns == [30, 60, 120, 240]
    assert ProcessedWebhookEvent.objects.get().attempts == 5
    assert _refunds_recorded(order) == 0

    # And the next try after Stripe is back records the refund
    fake.down = False
    webhook_event_process_task.push_request(retries=4, is_eager=False)
    try:
        assert webhook_event_process_task.run("evt_refunded") is True
    finally:
        webhook_event_process_task.pop_request()
    assert _refunds_recorded(order) == 1


def test_a_swept_try_that_fails_is_not_retried_by_its_task(
    client, fake, refunded_at_stripe, monkeypatch, django_capture_on_commit_callbacks
):
    # Given a stored event whose try failed, and Stripe still down
    order, body = refunded_at_stripe
    fake.down = True
    _deliver(client, body, django_capture_on_commit_callbacks)
    retried = []
    monkeypatch.setattr(
        webhook_event_process_task, "retry", lambda **kwargs: retried.append(kwargs)
    )

    # When a worker runs the try a sweep enqueued
    webhook_event_process_task.push_request(retries=0, is_eager=False)
    try:
        assert webhook_event_process_task.run("evt_refunded", retry=False) is False
    finally:
        webhook_event_process_task.pop_request()

    # Then it schedules no retries of its own (each sweep is one try, not a new chain)
    assert retried == []
    assert ProcessedWebhookEvent.objects.get().attempts == 2


def test_the_sweep_takes_the_least_recently_tried_events_first(monkeypatch):
    from marketplace.payment.services import webhooks

    # Given more failing events than one sweep takes, the oldest tried most recently
    now = datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.UTC)
    for number, minutes_ago in enumerate([10, 60, 30]):
        ProcessedWebhookEvent.objects.create(
            event_id=f"evt_{number}", type="customer.created", payload={}
        )
        ProcessedWebhookEvent.objects.filter(event_id=f"evt_{number}").update(
            received_at=now - datetime.timedelta(hours=3) + datetime.timedelta(minutes=number),
            last_attempted_at=now - datetime.timedelta(minutes=minutes_ago),
        )
    enqueued = []
    monkeypatch.setattr(webhooks, "SWEEP_BATCH", 2)
    monkeypatch.setattr(
        webhook_event_process_task,
        "delay_on_commit",
        lambda event_id, **kwargs: enqueued.append(event_id),
    )

    # When the sweep runs
    webhooks.webhook_events_retry_unprocessed(now=now)

    # Then it takes the two tried longest ago, whatever the order they arrived in
    assert enqueued == ["evt_1", "evt_2"]
