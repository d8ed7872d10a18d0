"""Overdue invoices are reminded by email (Celery beat task), at most once per interval."""

import datetime

import pytest
from django.conf import settings
from django.core import mail

from marketplace.invoicing.models import Invoice
from marketplace.invoicing.services import invoice_payment_record, invoices_remind_overdue
from marketplace.invoicing.tasks import invoices_remind_overdue_task
from marketplace.organisations.models import Membership
from tests.factories import OrganisationFactory, UserFactory
from tests.marketplace.organisations.builders import invoiced_order, member, tea_and_honey

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice():
    organisation = OrganisationFactory()
    buyer = member(organisation, email="buyer@canteen.example")
    member(organisation, Membership.Role.APPROVER, email="approver@canteen.example")
    tea, _honey = tea_and_honey()
    invoice = invoiced_order(organisation, buyer, [(tea, 1)])
    Invoice.objects.filter(pk=invoice.pk).update(due_on=datetime.date(2026, 3, 31))
    invoice.refresh_from_db()
    return invoice


def test_an_overdue_invoice_is_reminded_by_email(invoice):
    reminded = invoices_remind_overdue(today=datetime.date(2026, 4, 3))

    assert reminded == 1
    [email] = mail.outbox
    assert email.to == ["buyer@canteen.example"]
    assert invoice.number in email.subject
    assert "已逾期 3 天" in email.body
    assert settings.PLATFORM_BANK_ACCOUNT["number"] in email.body
    invoice.refresh_from_db()
    assert invoice.reminded_on == datetime.date(2026, 4, 3)


def test_an_invoice_not_yet_due_is_not_reminded(invoice):
    assert invoices_remind_overdue(today=datetime.date(2026, 3, 31)) == 0
    assert mail.outbox == []


def test_a_paid_invoice_is_not_reminded(invoice):
    invoice_payment_record(
        invoice=invoice,
        actor=UserFactory(is_superuser=True),
        amount=invoice.amount,
        bank_reference="B1",
        booked_on=datetime.date(2026, 4, 1),
    )

    assert invoices_remind_overdue(today=datetime.date(2026, 4, 10)) == 0
    assert mail.outbox == []


def test_reminders_repeat_only_after_the_interval(invoice, settings):
    settings.INVOICE_REMINDER_INTERVAL_DAYS = 7
    invoices_remind_overdue(today=datetime.date(2026, 4, 3))

    assert invoices_remind_overdue(today=datetime.date(2026, 4, 3)) == 0
    assert invoices_remind_overdue(today=datetime.date(2026, 4, 9)) == 0
    assert invoices_remind_overdue(today=datetime.date(2026, 4, 10)) == 1
    assert len(mail.outbox) == 2


def test_the_beat_task_is_scheduled_and_reminds(invoice, settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["invoices-remind-overdue-daily"]
    assert schedule["task"] == "marketplace.invoicing.tasks.invoices_remind_overdue_task"

    assert invoices_remind_overdue_task.delay().get() == 1
    assert len(mail.outbox) == 1
