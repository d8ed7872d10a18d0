"""Overdue invoices: a reminder to the organisation's buyers and admins, at most once per
reminder interval per invoice. The mail leaves when the transaction recording the reminder
commits: a run that rolls back sends nothing."""

import datetime
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from marketplace.organisations.models import Membership

from ..models import Invoice


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
            context = {
                "invoice": invoice,
                "days_overdue": (today - invoice.due_on).days,
                "bank": settings.PLATFORM_BANK_ACCOUNT,
            }
            with translation.override(settings.LANGUAGE_CODE):
                subject = render_to_string("invoicing/email/overdue_subject.txt", context).strip()
                body = render_to_string("invoicing/email/overdue_body.txt", context)
            locked.reminded_on = today
            locked.save(update_fields=["reminded_on"])
            # Sent once the reminder is recorded for good, never from a transaction that may
            # still roll back; a failed send is logged and does not stop the other invoices.
            transaction.on_commit(
                partial(send_mail, subject, body, settings.DEFAULT_FROM_EMAIL, recipients),
                robust=True,
            )
        reminded += 1
    return reminded
