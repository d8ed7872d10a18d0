"""A correctly signed webhook body is not proof of payment: the signing secret may leak (the
demo's is published). Each event is checked with Stripe, and only Stripe's answer is acted
on; a signed body of an unexpected shape is refused or ignored, never a server error."""

import json

import pytest
from oscar.core.loading import get_model

from evaluation.models import PurchaseFact
from producers.income.models import LedgerEntry
from tests.faults.conftest import cooperative_with_households

from .conftest import basket_with, event, sign, start_payment, webhook_post

Order = get_model("order", "Order")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentAttempt = get_model("payment", "PaymentAttempt")
ProcessedWebhookEvent = get_model("payment", "ProcessedWebhookEvent")
StripeRefund = get_model("payment", "StripeRefund")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(stripe_fake, customer):
    """A customer at the payment page: 2 units (¥76.00) of a cooperative whose sales reach
    households; the PaymentIntent exists at Stripe, unpaid."""
    product = cooperative_with_households()
    attempt = start_payment(customer, basket_with(customer, [(product, 2)]))
    return attempt, product


def _post(client, body, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return webhook_post(client, body)


def _claimed_paid(stripe_fake, attempt, **changes) -> dict:
    """A payment_intent.succeeded body for the attempt's PaymentIntent, as a forger writes it."""
    intent = {**stripe_fake.intents[attempt.payment_intent_id], "status": "succeeded"}
    return event("evt_forged", "payment_intent.succeeded", {**intent, **changes})


def test_forged_succeeded_for_an_unpaid_intent_places_no_order_and_pays_nobody(
    client, stripe_fake, started, django_capture_on_commit_callbacks
):
    attempt, product = started

    # When a correctly signed payment_intent.succeeded arrives for the unpaid PaymentIntent
    response = _post(
        client, _claimed_paid(stripe_fake, attempt), django_capture_on_commit_callbacks
    )

    # Then Stripe is asked, says it is unpaid: no order, no ledger, no purchase facts
    assert response.status_code == 200
    assert stripe_fake.calls_to("GET", f"/v1/payment_intents/{attempt.payment_intent_id}")
    attempt.refresh_from_db()
    assert attempt.state == PaymentAttempt.State.PENDING and attempt.order is None
    assert not Order.objects.exists()
    assert not PaymentEvent.objects.exists()
    assert not LedgerEntry.objects.exists()
    assert not PurchaseFact.objects.exists()
    # and the customer's units stay held for their real payment
    assert StockRecord.objects.get(product=product).num_allocated == 2


def test_once_really_paid_the_same_event_places_the_order_and_pays_the_households(
    client, stripe_fake, started, django_capture_on_commit_callbacks
):
    attempt, _product = started
    stripe_fake.succeed(attempt.payment_intent_id)

    _post(client, _claimed_paid(stripe_fake, attempt), django_capture_on_commit_callbacks)

    order = Order.objects.get()
    assert order.total_incl_tax == attempt.amount
    assert LedgerEntry.objects.filter(line__order=order).exists()
    assert PurchaseFact.objects.filter(order=order).exists()


def test_a_body_claiming_another_amount_is_ignored_for_stripes_real_amount(
    client, stripe_fake, started, django_capture_on_commit_callbacks
):
    attempt, _product = started
    stripe_fake.succeed(attempt.payment_intent_id)  # ¥76.00 paid at Stripe

    # When the signed body says one fen was paid
    _post(
        client,
        _claimed_paid(stripe_fake, attempt, amount=1),
        django_capture_on_commit_callbacks,
    )

    # Then the order is placed on Stripe's answer: the full amount was paid
    attempt.refresh_from_db()
    assert attempt.state == PaymentAttempt.State.SUCCEEDED
    assert PaymentEvent.objects.get(order=attempt.order).amount == attempt.amount


def test_a_paid_intent_of_another_amount_at_stripe_places_nothing_whatever_the_body_says(
    client, stripe_fake, started, django_capture_on_commit_callbacks
):
    attempt, _product = started
    # Given the PaymentIntent at Stripe was paid for ¥1.00, not the attempt's ¥76.00
    stripe_fake.intents[attempt.payment_intent_id]["amount"] = 100
    stripe_fake.succeed(attempt.payment_intent_id)

    # When the signed body claims the full amount
    _post(
        client,
        _claimed_paid(stripe_fake, attempt, amount=7600),
        django_capture_on_commit_callbacks,
    )

    # Then nothing is placed
    assert not Order.objects.exists()
    assert not LedgerEntry.objects.exists()


def test_a_paid_intent_made_for_another_attempt_places_nothing(
    client, stripe_fake, started, django_capture_on_commit_callbacks
):
    attempt, _product = started
    # Given Stripe's PaymentIntent carries another order's metadata
    stripe_fake.intents[attempt.payment_intent_id]["metadata"]["order_number"] = "999999"
    stripe_fake.succeed(attempt.payment_intent_id)

    _post(client, _claimed_paid(stripe_fake, attempt), django_capture_on_commit_callbacks)

    assert not Order.objects.exists()


def test_forged_payment_failed_does_not_cancel_a_payment_in_progress(
    client, stripe_fake, started, django_capture_on_commit_callbacks
):
    attempt, product = started
    # Given the customer is in the middle of 3-D Secure
    stripe_fake.intents[attempt.payment_intent_id]["status"] = "requires_action"
    body = event(
        "evt_forged_fail",
        "payment_intent.payment_failed",
        {**stripe_fake.intents[attempt.payment_intent_id], "status": "requires_payment_method"},
    )

    _post(client, body, django_capture_on_commit_callbacks)

    attempt.refresh_from_db()
    assert attempt.state == PaymentAttempt.State.PENDING
    assert stripe_fake.intents[attempt.payment_intent_id]["status"] == "requires_action"
    assert StockRecord.objects.get(product=product).num_allocated == 2


@pytest.fixture
def placed(stripe_fake, started):
    from marketplace.payment.services import order_place_for_payment

    attempt, _product = started
    stripe_fake.succeed(attempt.payment_intent_id)
    return order_place_for_payment(payment_intent_id=attempt.payment_intent_id)


def test_forged_refund_that_stripe_does_not_know_records_nothing(
    client, stripe_fake, placed, django_capture_on_commit_callbacks
):
    body = event(
        "evt_forged_refund",
        "refund.created",
        {
            "id": "re_forged",
            "object": "refund",
            "amount": 7600,
            "currency": "cny",
            "payment_intent": placed.payment_attempt.payment_intent_id,
            "metadata": {},
            "status": "succeeded",
        },
    )

    response = _post(client, body, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert not StripeRefund.objects.exists()
    assert not PaymentEvent.objects.filter(event_type__code="refund").exists()
    assert ProcessedWebhookEvent.objects.get().processed_at is not None


def test_a_refund_is_recorded_for_stripes_amount_not_the_bodys(
    client, stripe_fake, placed, django_capture_on_commit_callbacks
):
    refund = stripe_fake.refund_made_at_stripe(placed.payment_attempt.payment_intent_id, 3800)

    _post(
        client,
        event("evt_refund", "refund.created", {**refund, "amount": 7600}),
        django_capture_on_commit_callbacks,
    )

    assert StripeRefund.objects.get().amount == 38
    assert placed.sources.get().amount_refunded == 38


def test_charge_refunded_records_the_refunds_stripe_lists_not_those_in_the_body(
    client, stripe_fake, placed, django_capture_on_commit_callbacks
):
    payment_intent_id = placed.payment_attempt.payment_intent_id
    real = stripe_fake.refund_made_at_stripe(payment_intent_id, 3800)
    forged = {**real, "id": "re_forged", "amount": 3800}
    charge = {
        "id": "ch_1",
        "object": "charge",
        "payment_intent": payment_intent_id,
        "refunds": {"object": "list", "data": [forged, real]},
    }

    _post(
        client, event("evt_charge", "charge.refunded", charge), django_capture_on_commit_callbacks
    )

    assert list(StripeRefund.objects.values_list("stripe_refund_id", flat=True)) == [real["id"]]
    assert placed.sources.get().amount_refunded == 38


def _signed_raw(client, payload: str):
    return client.post(
        "/shop/checkout/stripe/webhook/",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=sign(payload),
    )


def test_signed_event_without_an_id_is_refused_and_nothing_stored(client, stripe_fake, started):
    attempt, _product = started
    body = _claimed_paid(stripe_fake, attempt)
    del body["id"]

    response = webhook_post(client, body)

    assert response.status_code == 400
    assert not ProcessedWebhookEvent.objects.exists()
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    "payload",
    [
        "[]",
        '"evt_1"',
        "null",
        json.dumps({"id": 7, "type": "payment_intent.succeeded", "data": {"object": {}}}),
        json.dumps({"id": "", "type": "payment_intent.succeeded", "data": {"object": {}}}),
        json.dumps({"id": "evt_1" * 60, "type": "payment_intent.succeeded"}),
        json.dumps({"id": "evt_1", "data": {"object": {}}}),
        json.dumps({"id": "evt_1", "type": "x" * 101, "data": {"object": {}}}),
        json.dumps({"id": "evt_1", "type": "payment_intent.succeeded"}),
        json.dumps({"id": "evt_1", "type": "payment_intent.succeeded", "data": []}),
        json.dumps({"id": "evt_1", "type": "payment_intent.succeeded", "data": {"object": 5}}),
    ],
)
def test_signed_bodies_that_are_not_events_are_refused(client, payload):
    response = _signed_raw(client, payload)

    assert response.status_code == 400
    assert not ProcessedWebhookEvent.objects.exists()


@pytest.mark.parametrize(
    "type_, obj",
    [
        ("payment_intent.succeeded", {}),
        ("payment_intent.succeeded", {"id": ["pi_1"]}),
        ("payment_intent.payment_failed", {"id": None}),
        ("charge.refunded", {"id": "ch_1"}),
        ("refund.created", {"amount": 100}),
        ("invoice.paid", {"id": 12}),
        ("customer.created", {"id": "cus_1"}),
    ],
)
def test_signed_events_of_unexpected_shapes_are_stored_and_change_nothing(
    client, stripe_fake, started, type_, obj, django_capture_on_commit_callbacks
):
    response = _post(client, event("evt_odd", type_, obj), django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert ProcessedWebhookEvent.objects.get().processed_at is not None
    assert not Order.objects.exists()
    assert not StripeRefund.objects.exists()
