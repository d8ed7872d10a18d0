"""Platform staff see the Stripe events that keep failing in the store dashboard and can try
one again now; cooperative staff, who share the dashboard, cannot see or retry them."""

import pytest
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from marketplace.payment import gateway
from marketplace.payment.services import order_place_for_payment
from marketplace.users.roles import PLATFORM_ADMIN
from tests.factories import UserFactory
from tests.store_factories import certified_cooperative, cooperative_staff_create

from .conftest import basket_with, event, start_payment, webhook_post
from .stripe_fake import FailingStripe

PaymentEvent = get_model("order", "PaymentEvent")
ProcessedWebhookEvent = get_model("payment", "ProcessedWebhookEvent")

pytestmark = pytest.mark.django_db

LIST_URL = "/shop/dashboard/payments/webhooks/"


@pytest.fixture
def fake():
    fake = FailingStripe()
    gateway.http_client_install(fake)
    yield fake
    gateway.http_client_install(None)


@pytest.fixture
def failing_event(client, fake, customer, two_cooperatives, django_capture_on_commit_callbacks):
    """A charge.refunded for a paid order, received while Stripe was down: stored, failed."""
    tea, honey = two_cooperatives
    attempt = start_payment(customer, basket_with(customer, [(tea, 2), (honey, 1)]))
    fake.succeed(attempt.payment_intent_id)
    order = order_place_for_payment(payment_intent_id=attempt.payment_intent_id)
    fake.refund_made_at_stripe(attempt.payment_intent_id, 3800)
    charge = {"id": "ch_1", "object": "charge", "payment_intent": attempt.payment_intent_id}
    fake.down = True
    with django_capture_on_commit_callbacks(execute=True):
        webhook_post(client, event("evt_stuck", "charge.refunded", charge))
    fake.down = False
    return ProcessedWebhookEvent.objects.get(event_id="evt_stuck"), order


@pytest.fixture
def platform_admin():
    return UserFactory(roles=[PLATFORM_ADMIN], is_staff=True)


@pytest.fixture
def coop_staff():
    return cooperative_staff_create(cooperative=certified_cooperative())


def _retry_url(stored) -> str:
    return reverse("dashboard:payment-webhook-retry", kwargs={"pk": stored.pk})


def test_platform_staff_see_the_failing_event_with_its_tries_and_error(
    client, failing_event, platform_admin
):
    stored, _order = failing_event
    client.force_login(platform_admin)

    response = client.get(LIST_URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "evt_stuck" in page and "charge.refunded" in page
    assert "APIConnectionError" in page
    assert [(e.event_id, e.attempts) for e in response.context["events"]] == [("evt_stuck", 1)]
    assert _retry_url(stored) in page


def test_processed_events_are_not_listed(client, failing_event, platform_admin):
    ProcessedWebhookEvent.objects.create(
        event_id="evt_done",
        type="charge.refunded",
        payload={},
        attempts=2,
        last_error="APIConnectionError: earlier",
        processed_at=timezone.now(),
    )
    client.force_login(platform_admin)

    response = client.get(LIST_URL)

    assert [e.event_id for e in response.context["events"]] == ["evt_stuck"]


def test_retry_now_processes_the_event_once_stripe_is_back(
    client, failing_event, platform_admin, django_capture_on_commit_callbacks
):
    stored, order = failing_event
    client.force_login(platform_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_retry_url(stored))
    response = client.get(response.url)

    assert response.status_code == 200
    stored.refresh_from_db()
    assert stored.processed_at is not None and stored.attempts == 2
    assert PaymentEvent.objects.filter(order=order, event_type__code="refund").count() == 1
    assert list(response.context["events"]) == []


def test_cooperative_staff_can_neither_see_nor_retry_the_events(client, failing_event, coop_staff):
    stored, order = failing_event
    client.force_login(coop_staff)

    listed = client.get(LIST_URL)
    retried = client.post(_retry_url(stored))

    assert listed.status_code == 403
    assert retried.status_code == 403
    stored.refresh_from_db()
    assert stored.processed_at is None and stored.attempts == 1
    assert not PaymentEvent.objects.filter(order=order, event_type__code="refund").exists()


def test_anonymous_visitors_are_sent_to_the_login(client, failing_event):
    response = client.get(LIST_URL)

    assert response.status_code == 302 and "/login/" in response.url


def test_the_dashboard_menu_links_the_page_for_platform_staff_only(
    client, platform_admin, coop_staff
):
    client.force_login(platform_admin)
    assert LIST_URL in client.get("/shop/dashboard/").content.decode()

    client.force_login(coop_staff)
    assert LIST_URL not in client.get("/shop/dashboard/").content.decode()
