"""Optional Stripe Invoicing: finance sends the invoice through Stripe (fake HTTP client);
a test-signed invoice.paid webhook settles it once, exactly like a recorded transfer."""

import hashlib
import hmac
import json
import time
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse
from oscar.core.loading import get_model

from marketplace.invoicing.models import BankTransfer, Invoice
from marketplace.invoicing.services import InvoicePaymentError
from marketplace.invoicing.services.stripe_invoicing import invoice_stripe_send
from marketplace.payment import gateway
from marketplace.payment.events import payment_settled
from tests.factories import OrganisationFactory, UserFactory
from tests.marketplace.organisations.builders import invoiced_order, member, tea_and_honey

from .stripe_invoices_fake import FakeStripeInvoicing

pytestmark = pytest.mark.django_db

PaymentEvent = get_model("order", "PaymentEvent")
ProcessedWebhookEvent = get_model("payment", "ProcessedWebhookEvent")


@pytest.fixture
def stripe_invoicing(settings):
    settings.STRIPE_INVOICING_ENABLED = True
    fake = FakeStripeInvoicing()
    gateway.http_client_install(fake)
    yield fake
    gateway.http_client_install(None)


@pytest.fixture
def invoice():
    organisation = OrganisationFactory()
    tea, honey = tea_and_honey()
    return invoiced_order(organisation, member(organisation), [(tea, 2), (honey, 1)])


@pytest.fixture
def finance():
    return UserFactory(is_staff=True, is_superuser=True)


def signed_post(client, body: dict, *, secret: str | None = None):
    payload = json.dumps(body)
    timestamp = int(time.time())
    digest = hmac.new(
        (secret or settings.STRIPE_WEBHOOK_SECRET).encode(),
        f"{timestamp}.{payload}".encode(),
        hashlib.sha256,
    ).hexdigest()
    return client.post(
        reverse("organisations:stripe-invoice-webhook"),
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=f"t={timestamp},v1={digest}",
    )


def paid_event(stripe_invoice_id: str, amount_fen: int, event_id: str = "evt_1") -> dict:
    return {
        "id": event_id,
        "object": "event",
        "type": "invoice.paid",
        "data": {
            "object": {
                "id": stripe_invoice_id,
                "object": "invoice",
                "amount_paid": amount_fen,
                "currency": "cny",
                "customer_email": "buyer@canteen.example",
                "status": "paid",
                "status_transitions": {"paid_at": int(time.time())},
            }
        },
    }


def test_finance_sends_the_invoice_through_stripe(stripe_invoicing, invoice, finance):
    invoice = invoice_stripe_send(invoice=invoice, actor=finance)

    sent = stripe_invoicing.invoices[invoice.stripe_invoice_id]
    assert sent["collection_method"] == "send_invoice"
    assert sent["amount_due"] == 14250
    assert sent["metadata"]["invoice_number"] == invoice.number
    assert sent["status"] == "open"


def test_sending_twice_calls_stripe_once(stripe_invoicing, invoice, finance):
    invoice_stripe_send(invoice=invoice, actor=finance)
    calls = len(stripe_invoicing.calls)

    invoice_stripe_send(invoice=invoice, actor=finance)

    assert len(stripe_invoicing.calls) == calls


def test_stripe_unavailable_is_a_clear_error_and_changes_nothing(settings, invoice, finance):
    settings.STRIPE_INVOICING_ENABLED = True
    gateway.http_client_install(FakeStripeInvoicing(fail=True))
    try:
        with pytest.raises(InvoicePaymentError):
            invoice_stripe_send(invoice=invoice, actor=finance)
    finally:
        gateway.http_client_install(None)

    invoice.refresh_from_db()
    assert invoice.stripe_invoice_id is None


def test_invoice_paid_webhook_settles_the_invoice_once(
    client, stripe_invoicing, invoice, finance, django_capture_on_commit_callbacks
):
    invoice = invoice_stripe_send(invoice=invoice, actor=finance)
    stripe_invoicing.pay(invoice.stripe_invoice_id)
    announced = []

    def receiver(sender, order, payment_event, **kwargs):
        announced.append(order.pk)

    payment_settled.connect(receiver, weak=False)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            first = signed_post(client, paid_event(invoice.stripe_invoice_id, 14250))
            replay = signed_post(client, paid_event(invoice.stripe_invoice_id, 14250))
    finally:
        payment_settled.disconnect(receiver)

    assert first.status_code == replay.status_code == 200
    invoice.refresh_from_db()
    assert invoice.state == Invoice.State.PAID
    assert PaymentEvent.objects.get(order=invoice.order).amount == Decimal("142.50")
    transfer = BankTransfer.objects.get()
    assert transfer.source == BankTransfer.Source.STRIPE
    assert transfer.recorded_by is None
    assert announced == [invoice.order_id]


def test_webhook_with_a_bad_signature_is_refused(client, stripe_invoicing, invoice, finance):
    invoice = invoice_stripe_send(invoice=invoice, actor=finance)

    response = signed_post(
        client, paid_event(invoice.stripe_invoice_id, 14250), secret="whsec_someone_else"
    )

    assert response.status_code == 400
    invoice.refresh_from_db()
    assert invoice.state == Invoice.State.ISSUED


def test_an_amount_that_does_not_match_settles_nothing(client, stripe_invoicing, invoice, finance):
    invoice = invoice_stripe_send(invoice=invoice, actor=finance)
    stripe_invoicing.pay(invoice.stripe_invoice_id, amount=10000)

    # The body claims the full amount; Stripe says ¥100.00 of ¥142.50 was paid
    signed_post(client, paid_event(invoice.stripe_invoice_id, 14250))

    invoice.refresh_from_db()
    assert invoice.state == Invoice.State.ISSUED
    assert not PaymentEvent.objects.exists()


def test_a_forged_invoice_paid_for_an_unpaid_invoice_settles_nothing(
    client, stripe_invoicing, invoice, finance, django_capture_on_commit_callbacks
):
    # Given an invoice sent through Stripe and still open there
    invoice = invoice_stripe_send(invoice=invoice, actor=finance)

    # When a correctly signed invoice.paid claiming the full amount arrives
    with django_capture_on_commit_callbacks(execute=True):
        response = signed_post(client, paid_event(invoice.stripe_invoice_id, 14250))

    # Then Stripe is asked, says the invoice is open, and nothing is settled
    assert response.status_code == 200
    assert ("GET", f"/v1/invoices/{invoice.stripe_invoice_id}", {}) in stripe_invoicing.calls
    invoice.refresh_from_db()
    assert invoice.state == Invoice.State.ISSUED
    assert not BankTransfer.objects.exists()
    assert not PaymentEvent.objects.exists()


def test_invoice_paid_with_other_metadata_at_stripe_settles_nothing(
    client, stripe_invoicing, invoice, finance, django_capture_on_commit_callbacks
):
    # Given a Stripe invoice, paid in full, that Stripe holds for another invoice number
    invoice = invoice_stripe_send(invoice=invoice, actor=finance)
    stripe_invoicing.pay(invoice.stripe_invoice_id)
    stripe_invoicing.invoices[invoice.stripe_invoice_id]["metadata"]["invoice_number"] = "X-1"

    with django_capture_on_commit_callbacks(execute=True):
        signed_post(client, paid_event(invoice.stripe_invoice_id, 14250))

    invoice.refresh_from_db()
    assert invoice.state == Invoice.State.ISSUED
    assert not PaymentEvent.objects.exists()


def test_signed_invoice_event_without_an_id_is_refused_and_nothing_stored(
    client, stripe_invoicing, invoice, finance
):
    invoice = invoice_stripe_send(invoice=invoice, actor=finance)
    stripe_invoicing.pay(invoice.stripe_invoice_id)
    body = paid_event(invoice.stripe_invoice_id, 14250)
    del body["id"]

    response = signed_post(client, body)

    assert response.status_code == 400
    assert not ProcessedWebhookEvent.objects.exists()
    invoice.refresh_from_db()
    assert invoice.state == Invoice.State.ISSUED
