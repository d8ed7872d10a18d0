"""Optional Stripe Invoicing: finance sends an issued invoice through Stripe as well (where
the platform's account supports it); Stripe's `invoice.paid` webhook settles it through the
same settlement as a recorded transfer. A replayed event changes nothing."""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from marketplace.payment import gateway

from ..models import BankTransfer, Invoice
from .settlement import InvoicePaymentError, invoice_settle

logger = logging.getLogger(__name__)


def invoice_stripe_send(*, invoice: Invoice, actor) -> Invoice:
    """Send the invoice through Stripe Invoicing, once (a sent invoice is returned as is)."""
    if not actor.has_perm("invoicing.record_payment"):
        raise PermissionDenied
    if not settings.STRIPE_INVOICING_ENABLED:
        raise InvoicePaymentError(_("平台的 Stripe 账户未开通发票功能。"))
    if invoice.is_paid:
        raise InvoicePaymentError(_("发票 %(number)s 已结清。") % {"number": invoice.number})
    if invoice.stripe_invoice_id:
        return invoice
    order = invoice.order
    try:
        sent = gateway.invoice_send(
            email=order.user.email if order.user else order.guest_email,
            name=invoice.organisation.name,
            description=f"{invoice.number} · {order.number}",
            amount=invoice.amount,
            days_until_due=max((invoice.due_on - timezone.localdate()).days, 1),
            metadata={"invoice_number": invoice.number, "order_number": order.number},
            idempotency_key=f"dongxi-invoice-{invoice.pk}",
        )
    except gateway.GatewayError as exc:
        logger.exception("Invoice %s not sent through Stripe", invoice.number)
        raise InvoicePaymentError(_("暂时无法通过 Stripe 发送发票，请稍后再试。")) from exc
    invoice.stripe_invoice_id = sent["id"]
    invoice.save(update_fields=["stripe_invoice_id"])
    return invoice


def invoice_stripe_paid(*, stripe_invoice_id: str) -> Invoice | None:
    """Settle the invoice a Stripe `invoice.paid` event names, as Stripe reports it when
    asked (never as the event's body says): paid, in CNY, for the invoice's amount, with the
    metadata it was sent with. An unknown invoice, or one Stripe does not report so, is
    logged and changes nothing. GatewayError when Stripe cannot be asked: try again later."""
    invoice = (
        Invoice.objects.select_related("order").filter(stripe_invoice_id=stripe_invoice_id).first()
    )
    if invoice is None:
        logger.warning("invoice.paid for unknown Stripe invoice %s", stripe_invoice_id)
        return None
    if invoice.is_paid:
        return invoice
    stripe_invoice = gateway.invoice_retrieve(stripe_invoice_id)
    paid = gateway.from_fen(stripe_invoice.get("amount_paid") or 0)
    metadata = stripe_invoice.get("metadata") or {}
    if (
        stripe_invoice.get("id") != invoice.stripe_invoice_id
        or stripe_invoice.get("status") != "paid"
        or stripe_invoice.get("currency") != gateway.CURRENCY
        or paid != invoice.amount
        or metadata.get("invoice_number") != invoice.number
        or metadata.get("order_number") != invoice.order.number
    ):
        logger.error(
            "Stripe invoice %s is %s, paid %s %s, not %s for %s: nothing settled",
            invoice.stripe_invoice_id,
            stripe_invoice.get("status"),
            paid,
            stripe_invoice.get("currency"),
            invoice.amount,
            invoice.number,
        )
        return None
    paid_at = (stripe_invoice.get("status_transitions") or {}).get("paid_at")
    booked_on = (
        timezone.localdate(datetime.datetime.fromtimestamp(paid_at, tz=datetime.UTC))
        if paid_at
        else timezone.localdate()
    )
    try:
        return invoice_settle(
            invoice=invoice,
            amount=paid,
            bank_reference=invoice.stripe_invoice_id,
            booked_on=booked_on,
            recorded_by=None,
            payer=stripe_invoice.get("customer_email") or "",
            source=BankTransfer.Source.STRIPE,
        )
    except InvoicePaymentError:  # settled meanwhile (a concurrent replay)
        invoice.refresh_from_db()
        return invoice
