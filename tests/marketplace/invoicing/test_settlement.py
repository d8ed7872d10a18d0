"""A transfer recorded by finance settles the invoice exactly like a card payment: an Oscar
Source and a "paid" PaymentEvent with every line's quantity, announced once."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from oscar.core.loading import get_model

from marketplace.invoicing.models import BankTransfer, Invoice
from marketplace.invoicing.services import InvoicePaymentError, invoice_payment_record
from marketplace.payment.events import payment_settled
from tests.factories import PASSWORD, OrganisationFactory, UserFactory
from tests.marketplace.organisations.builders import invoiced_order, member, tea_and_honey

pytestmark = pytest.mark.django_db

PaymentEvent = get_model("order", "PaymentEvent")
Source = get_model("payment", "Source")

BOOKED = datetime.date(2026, 3, 2)


@pytest.fixture
def invoice():
    organisation = OrganisationFactory()
    tea, honey = tea_and_honey()
    return invoiced_order(organisation, member(organisation), [(tea, 2), (honey, 1)])


@pytest.fixture
def finance():
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.fixture
def announcements():
    received = []

    def receiver(sender, order, payment_event, **kwargs):
        received.append((order.pk, payment_event.pk))

    payment_settled.connect(receiver, weak=False)
    yield received
    payment_settled.disconnect(receiver)


def record(invoice, finance, **overrides):
    values = {"amount": "142.50", "bank_reference": "ICBC20260302001", "booked_on": BOOKED}
    values.update(overrides)
    return invoice_payment_record(invoice=invoice, actor=finance, **values)


def test_recorded_transfer_settles_like_a_card_payment(
    invoice, finance, announcements, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record(invoice, finance)

    invoice.refresh_from_db()
    event = PaymentEvent.objects.get(order=invoice.order)
    assert invoice.state == Invoice.State.PAID
    assert invoice.paid_on == BOOKED
    assert invoice.payment_event == event
    assert event.event_type.code == "paid"
    assert event.amount == Decimal("142.50")
    assert {(q.line_id, q.quantity) for q in event.line_quantities.all()} == {
        (line.pk, line.quantity) for line in invoice.order.lines.all()
    }
    source = Source.objects.get(order=invoice.order)
    assert source.amount_debited == Decimal("142.50")
    assert announcements == [(invoice.order_id, event.pk)]


def test_recording_the_same_invoice_twice_changes_nothing_the_second_time(
    invoice, finance, announcements, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        record(invoice, finance)
    with pytest.raises(InvoicePaymentError), django_capture_on_commit_callbacks(execute=True):
        record(invoice, finance, bank_reference="ICBC20260302999")

    assert PaymentEvent.objects.count() == 1
    assert BankTransfer.objects.count() == 1
    assert len(announcements) == 1


def test_a_partial_amount_is_refused(invoice, finance):
    with pytest.raises(InvoicePaymentError) as excinfo:
        record(invoice, finance, amount="100.00")

    assert "¥100.00" in str(excinfo.value.message)
    invoice.refresh_from_db()
    assert invoice.state == Invoice.State.ISSUED
    assert not PaymentEvent.objects.exists()


def test_a_bank_reference_is_counted_once(finance):
    organisation = OrganisationFactory()
    buyer = member(organisation)
    tea, honey = tea_and_honey()
    first = invoiced_order(organisation, buyer, [(tea, 1)])
    second = invoiced_order(organisation, buyer, [(tea, 1)])
    record(first, finance, amount="38.00")

    with pytest.raises(InvoicePaymentError):
        record(second, finance, amount="38.00")

    second.refresh_from_db()
    assert second.state == Invoice.State.ISSUED


def test_only_platform_finance_records_payments(invoice):
    with pytest.raises(PermissionDenied):
        record(invoice, member(invoice.organisation))


def test_finance_page_records_a_payment(client, invoice, finance):
    client.login(email=finance.email, password=PASSWORD)

    response = client.post(
        reverse("organisations:finance-pay", kwargs={"invoice_id": invoice.pk}),
        {
            "amount": "142.50",
            "bank_reference": "ICBC1",
            "booked_on": "2026-03-02",
            "payer": "某单位",
        },
    )

    assert response.status_code == 302
    invoice.refresh_from_db()
    assert invoice.is_paid
