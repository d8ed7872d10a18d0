import datetime

from celery import shared_task

from .models import Invoice
from .services import invoices_remind_overdue
from .services.reminders import invoice_reminder_send
from .services.stripe_invoicing import invoice_stripe_paid


@shared_task(acks_late=True)
def invoices_remind_overdue_task() -> int:
    # Idempotent within a day: a reminded invoice is skipped until the interval has passed.
    return invoices_remind_overdue()


@shared_task(acks_late=True)
def invoice_reminder_send_task(invoice_id: int, reminded_on: str, previous: str | None) -> bool:
    invoice = Invoice.objects.select_related("organisation", "order").get(pk=invoice_id)
    return invoice_reminder_send(
        invoice=invoice,
        reminded_on=datetime.date.fromisoformat(reminded_on),
        previous=datetime.date.fromisoformat(previous) if previous else None,
    )


@shared_task(acks_late=True)
def invoice_stripe_paid_task(stripe_invoice: dict) -> bool:
    # Idempotent: a settled invoice is returned unchanged. Kept for messages queued before
    # invoice.paid went through the stored webhook events; only the id is used, the invoice
    # itself is read from Stripe.
    return invoice_stripe_paid(stripe_invoice_id=stripe_invoice.get("id", "")) is not None
