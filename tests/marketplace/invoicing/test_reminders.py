"""Overdue invoices are reminded by email (Celery beat task), at most once per interval,
and only once the reminder is committed."""

import datetime
import smtplib

import pytest
from django.conf import settings
from django.core import mail
from django.db import transaction

from marketplace.invoicing.models import Invoice
from marketplace.invoicing.services import (
    invoice_payment_record,
    invoices_remind_overdue,
    reminders,
)
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


@pytest.fixture
def remind(django_capture_on_commit_callbacks):
    """invoices_remind_overdue(...) in its own committed transaction, as the beat task runs
    it: mail registered to leave on commit is sent."""

    def _remind(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return invoices_remind_overdue(**kwargs)

    return _remind


def test_an_overdue_invoice_is_reminded_by_email(invoice, remind):
    reminded = remind(today=datetime.date(2026, 4, 3))

    assert reminded == 1
    [email] = mail.outbox
    assert email.to == ["buyer@canteen.example"]
    assert invoice.number in email.subject
    assert "已逾期 3 天" in email.body
    assert settings.PLATFORM_BANK_ACCOUNT["number"] in email.body
    invoice.refresh_from_db()
    assert invoice.reminded_on == datetime.date(2026, 4, 3)


def test_an_invoice_not_yet_due_is_not_reminded(invoice, remind):
    assert remind(today=datetime.date(2026, 3, 31)) == 0
    assert mail.outbox == []


def test_a_paid_invoice_is_not_reminded(invoice, remind):
    invoice_payment_record(
        invoice=invoice,
        actor=UserFactory(is_superuser=True),
        amount=invoice.amount,
        bank_reference="B1",
        booked_on=datetime.date(2026, 4, 1),
    )

    assert remind(today=datetime.date(2026, 4, 10)) == 0
    assert mail.outbox == []


def test_reminders_repeat_only_after_the_interval(invoice, settings, remind):
    settings.INVOICE_REMINDER_INTERVAL_DAYS = 7
    remind(today=datetime.date(2026, 4, 3))

    assert remind(today=datetime.date(2026, 4, 3)) == 0
    assert remind(today=datetime.date(2026, 4, 9)) == 0
    assert remind(today=datetime.date(2026, 4, 10)) == 1
    assert len(mail.outbox) == 2


def test_the_beat_task_is_scheduled_and_reminds(
    invoice, settings, django_capture_on_commit_callbacks
):
    schedule = settings.CELERY_BEAT_SCHEDULE["invoices-remind-overdue-daily"]
    assert schedule["task"] == "marketplace.invoicing.tasks.invoices_remind_overdue_task"

    with django_capture_on_commit_callbacks(execute=True):
        assert invoices_remind_overdue_task.delay().get() == 1
    assert len(mail.outbox) == 1


class Rollback(Exception):
    pass


def test_a_reminder_run_whose_transaction_rolls_back_sends_no_mail(
    invoice, django_capture_on_commit_callbacks
):
    # Given a reminder run inside a transaction that then rolls back
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(Rollback), transaction.atomic():
            assert invoices_remind_overdue(today=datetime.date(2026, 4, 3)) == 1
            raise Rollback

    # Then no one was told of a reminder that was never recorded
    assert mail.outbox == []
    invoice.refresh_from_db()
    assert invoice.reminded_on is None


def test_a_committed_run_sends_one_mail_per_overdue_invoice_after_the_commit(
    invoice, django_capture_on_commit_callbacks
):
    # Given two overdue invoices of the organisation
    buyer = Membership.objects.get(
        organisation=invoice.organisation, role=Membership.Role.BUYER
    ).user
    tea, _honey = tea_and_honey()
    second = invoiced_order(invoice.organisation, buyer, [(tea, 2)])
    Invoice.objects.filter(pk=second.pk).update(due_on=datetime.date(2026, 3, 20))

    # When the run is in a transaction, nothing leaves before it commits
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            assert invoices_remind_overdue(today=datetime.date(2026, 4, 3)) == 2
        assert mail.outbox == []

    # Then after the commit each invoice is reminded exactly once
    assert len(callbacks) == 2
    assert len(mail.outbox) == 2
    for number in (invoice.number, second.number):
        assert sum(number in email.subject for email in mail.outbox) == 1


def test_a_reminder_that_cannot_be_sent_is_reminded_again_and_the_others_still_leave(
    invoice, remind, monkeypatch
):
    # Given two overdue invoices, and a mail server refusing the first invoice's reminder
    buyer = Membership.objects.get(
        organisation=invoice.organisation, role=Membership.Role.BUYER
    ).user
    tea, _honey = tea_and_honey()
    second = invoiced_order(invoice.organisation, buyer, [(tea, 2)])
    Invoice.objects.filter(pk=second.pk).update(due_on=datetime.date(2026, 3, 20))
    real_send_mail = reminders.send_mail

    def refusing_send_mail(subject, *args, **kwargs):
        if invoice.number in subject:
            raise smtplib.SMTPServerDisconnected("connection lost")
        return real_send_mail(subject, *args, **kwargs)

    monkeypatch.setattr(reminders, "send_mail", refusing_send_mail)

    # When the reminders run
    remind(today=datetime.date(2026, 4, 3))

    # Then the second invoice is reminded, the first is not counted as reminded
    [email] = mail.outbox
    assert second.number in email.subject
    invoice.refresh_from_db()
    second.refresh_from_db()
    assert invoice.reminded_on is None
    assert second.reminded_on == datetime.date(2026, 4, 3)

    # And once the mail server is back, the next run reminds just the first invoice
    monkeypatch.setattr(reminders, "send_mail", real_send_mail)
    assert remind(today=datetime.date(2026, 4, 3)) == 1
    assert invoice.number in mail.outbox[-1].subject
    assert len(mail.outbox) == 2
