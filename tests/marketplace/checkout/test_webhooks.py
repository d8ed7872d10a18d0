import json

import pytest
from oscar.core.loading import get_model

from marketplace.payment.events import payment_refunded, payment_settled

from .conftest import basket_with, event, sign, start_payment, webhook_post

Order = get_model("order", "Order")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentAttempt = get_model("payment", "PaymentAttempt")
ProcessedWebhookEvent = get_model("payment", "ProcessedWebhookEvent")
StripeRefund = get_model("payment", "StripeRefund")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db


@pytest.fixture
def announced():
    seen = []

    def receiver(sender, order, **kwargs):
        seen.append((sender.__name__, order.number))

    payment_settled.connect(receiver)
    payment_refunded.connect(receiver)
    yield seen
    payment_settled.disconnect(receiver)
    payment_refunded.disconnect(receiver)


@pytest.fixture
def paid_attempt(stripe_fake, customer, two_cooperatives):
    tea, honey = two_cooperatives
    attempt = start_payment(customer, basket_with(customer, [(tea, 2), (honey, 1)]))
    intent = stripe_fake.succeed(attempt.payment_intent_id)
    return attempt, intent


def test_bad_signature_is_refused_and_changes_nothing(client, paid_attempt):
    _attempt, intent = paid_attempt
    body = event("evt_1", "payment_intent.succeeded", intent)
    payload = json.dumps(body)

    response = webhook_post(client, body, signature=sign(payload, secret="whsec_wrong"))

    assert response.status_code == 400
    assert not ProcessedWebhookEvent.objects.exists()
    assert not Order.objects.exists()


def test_unsigned_webhook_is_refused(client, paid_attempt):
    _attempt, intent = paid_attempt

    response = webhook_post(
        client, event("evt_1", "payment_intent.succeeded", intent), signature=""
    )

    assert response.status_code == 400
    assert not ProcessedWebhookEvent.objects.exists()


def test_webhook_is_post_only(client):
    assert client.get("/shop/checkout/stripe/webhook/").status_code == 405


def test_succeeded_webhook_places_the_order(
    client, paid_attempt, announced, django_capture_on_commit_callbacks
):
    attempt, intent = paid_attempt

    with django_capture_on_commit_callbacks(execute=True):
        response = webhook_post(client, event("evt_1", "payment_intent.succeeded", intent))

    assert response.status_code == 200
    attempt.refresh_from_db()
    assert attempt.order is not None and attempt.state == "succeeded"
    assert ProcessedWebhookEvent.objects.get().processed_at is not None
    assert announced == [("PaymentAttempt", attempt.order_number)]


def test_same_event_twice_has_one_effect(
    client, paid_attempt, announced, django_capture_on_commit_callbacks
):
    attempt, intent = paid_attempt
    body = event("evt_1", "payment_intent.succeeded", intent)

    with django_capture_on_commit_callbacks(execute=True):
        first = webhook_post(client, body)
    with django_capture_on_commit_callbacks(execute=True) as replay_callbacks:
        second = webhook_post(client, body)

    assert (first.status_code, second.status_code) == (200, 200)
    assert replay_callbacks == []  # nothing enqueued for a replay
    assert Order.objects.count() == 1
    assert ProcessedWebhookEvent.objects.count() == 1
    assert PaymentEvent.objects.count() == 1
    assert announced == [("PaymentAttempt", attempt.order_number)]


def test_return_and_webhook_place_one_order_whichever_comes_first(
    client, paid_attempt, django_capture_on_commit_callbacks
):
    attempt, intent = paid_attempt
    client.force_login(attempt.user)

    returned = client.get(f"/shop/checkout/stripe/return/?payment_intent={intent['id']}")
    with django_capture_on_commit_callbacks(execute=True):
        webhook_post(client, event("evt_1", "payment_intent.succeeded", intent))

    assert returned.status_code == 302 and returned.url.endswith("/checkout/thank-you/")
    assert Order.objects.count() == 1


def test_refund_reported_before_success_ends_placed_and_refunded(
    client, stripe_fake, paid_attempt, announced, django_capture_on_commit_callbacks
):
    attempt, intent = paid_attempt
    refund = stripe_fake.refund_made_at_stripe(intent["id"], 3800)

    with django_capture_on_commit_callbacks(execute=True):
        webhook_post(client, event("evt_2", "refund.created", refund))
    with django_capture_on_commit_callbacks(execute=True):
        webhook_post(client, event("evt_1", "payment_intent.succeeded", intent))

    attempt.refresh_from_db()
    order = attempt.order
    assert Order.objects.count() == 1
    assert attempt.state == "succeeded"
    assert StripeRefund.objects.get().payment_event.order == order
    assert order.sources.get().amount_refunded == 38
    assert sorted(PaymentEvent.objects.values_list("event_type__code", flat=True)) == [
        "paid",
        "refund",
    ]
    assert announced == [
        ("PaymentAttempt", order.number),
        ("StripeRefund", order.number),
    ]


def test_charge_refunded_for_a_refund_made_here_changes_nothing_more(
    client, stripe_fake, paid_attempt, staff, django_capture_on_commit_callbacks
):
    from marketplace.payment.services import order_place_for_payment, order_refund

    attempt, intent = paid_attempt
    order = order_place_for_payment(payment_intent_id=intent["id"])
    line = order.lines.first()
    refund = order_refund(order=order, lines_quantities={line: 1}, actor=staff)
    charge = {"id": "ch_1", "object": "charge", "payment_intent": intent["id"]}

    with django_capture_on_commit_callbacks(execute=True):
        webhook_post(client, event("evt_3", "charge.refunded", charge))

    assert StripeRefund.objects.get() == refund
    assert PaymentEvent.objects.filter(event_type__code="refund").count() == 1


def test_a_declined_card_keeps_the_payment_open_for_another_card(
    client, stripe_fake, customer, two_cooperatives, django_capture_on_commit_callbacks
):
    # Given a customer whose first card was declined: Stripe reports payment_failed and
    # leaves the PaymentIntent waiting for another payment method
    tea, _honey = two_cooperatives
    attempt = start_payment(customer, basket_with(customer, [(tea, 3)]))
    intent = dict(stripe_fake.intents[attempt.payment_intent_id])
    assert intent["status"] == "requires_payment_method"

    with django_capture_on_commit_callbacks(execute=True):
        webhook_post(client, event("evt_4", "payment_intent.payment_failed", intent))

    # Then the attempt still holds its stock and the intent is not cancelled
    attempt.refresh_from_db()
    assert attempt.state == "pending"
    assert StockRecord.objects.get(product=tea).num_allocated == 3
    assert stripe_fake.intents[attempt.payment_intent_id]["status"] == "requires_payment_method"

    # And when the second card succeeds, the order is placed with those units
    stripe_fake.succeed(attempt.payment_intent_id)
    with django_capture_on_commit_callbacks(execute=True):
        webhook_post(
            client,
            event(
                "evt_5",
                "payment_intent.succeeded",
                dict(stripe_fake.intents[attempt.payment_intent_id]),
            ),
        )
    assert Order.objects.get().lines.get().quantity == 3


def test_a_cancelled_payment_releases_the_stock(
    client, stripe_fake, customer, two_cooperatives, django_capture_on_commit_callbacks
):
    tea, _honey = two_cooperatives
    attempt = start_payment(customer, basket_with(customer, [(tea, 3)]))
    stripe_fake.intents[attempt.payment_intent_id]["status"] = "canceled"
    intent = dict(stripe_fake.intents[attempt.payment_intent_id])

    with django_capture_on_commit_callbacks(execute=True):
        webhook_post(client, event("evt_4", "payment_intent.payment_failed", intent))

    attempt.refresh_from_db()
    assert attempt.state == "failed"
    assert StockRecord.objects.get(product=tea).num_allocated == 0
    assert not Order.objects.exists()
