"""Overdue invoices: a reminder to the organisation's buyers and admins, at most once per
reminder interval per invoice. The mail leaves (from a Celery task) when the transaction
recording the reminder commits: a run that rolls back sends nothing. A mail that cannot be
sent takes its record back, so the next run reminds that invoice again."""

import datetime
import logging
import smtplib

from celery import current_app
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from marketplace.organisations.models import Membership

from ..models import Invoice

logger = logging.getLogger(__name__)

# Enqueued by name: marketplace/invoicing/tasks.py imports these services, so they do not
# import it back.
SEND_TASK = "marketplace.invoicing.tasks.invoice_reminder_send_task"


def _recipients(invoice: Invoice) -> list[str]:
    emails = Membership.objects.filter(
        organisation_id=invoice.organisation_id,
        state=Membership.State.APPROVED,
        role__in=[Membership.Role.BUYER, Membership.Role.ADMIN],
    ).values_list("user__email", flat=True)
    return sorted({email for email in emails if email})


def invoices_remind_overdue(*, today: datetime.date | None = None) -> int:
    """Email every unpaid invoice past its due date that was not reminded within the
    interval; returns how many invoices were reminded."""
    today = today or timezone.localdate()
    last_allowed = today - datetime.timedelta(days=settings.INVOICE_REMINDER_INTERVAL_DAYS)
    overdue = (
        Invoice.objects.filter(state=Invoice.State.ISSUED, due_on__lt=today)
        .exclude(reminded_on__gt=last_allowed)
        .select_related("organisation", "order")
    )
    reminded = 0
    for invoice in overdue:
        recipients = _recipients(invoice)
        if not recipients:
            continue
        with transaction.atomic():
            locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
            if locked.is_paid or (locked.reminded_on and locked.reminded_on > last_allowed):
                continue
            previous = locked.reminded_on
            locked.reminded_on = today
            locked.save(update_fields=["reminded_on"])
            # Sent once the reminder is recorded for good, never from a transaction that may
            # still roll back.
            current_app.tasks[SEND_TASK].delay_on_commit(
                invoice.pk, today.isoformat(), previous.isoformat() if previous else None
            )
        reminded += 1
    return reminded


def invoice_reminder_send(
    *, invoice: Invoice, reminded_on: datetime.date, previous: datetime.date | None
) -> bool:
    """Email the reminder recorded on `reminded_on`. If the mail cannot be sent, the record
    goes back to `previous` (unless a later reminder replaced it), so the invoice is not
    counted as reminded and the next run tries again; returns whether the mail left."""
    recipients = _recipients(invoice)
    context = {
        "invoice": invoice,
        "days_overdue": (reminded_on - invoice.due_on).days,
        "bank": settings.PLATFORM_BANK_ACCOUNT,
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("invoicing/email/overdue_subject.txt", context).strip()
        body = render_to_string("invoicing/email/overdue_body.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except (smtplib.SMTPException, OSError):
        logger.exception("Reminder for invoice %s not sent; it will be reminded again", invoice)
        Invoice.objects.filter(pk=invoice.pk, reminded_on=reminded_on).update(reminded_on=previous)
        return False
    return True
