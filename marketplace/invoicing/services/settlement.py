"""A corporate transfer settles an invoice: the same Oscar records and the same single
announcement as a card payment (marketplace/payment/events.py, through the payment app's
order_settle_offline), so income tracing and evaluation treat both alike."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from core.money import MoneyError, format_yuan, to_yuan
from core.transactions import retry_on_serialization_failure
from marketplace.payment.services import order_settle_offline

from ..models import BankStatementImport, BankTransfer, Invoice

SOURCE_TYPE = "对公转账"


class InvoicePaymentError(Exception):
    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


@retry_on_serialization_failure
def invoice_settle(
    *,
    invoice: Invoice,
    amount: Decimal,
    bank_reference: str,
    booked_on: datetime.date,
    recorded_by,
    payer: str = "",
    statement: BankStatementImport | None = None,
    settled_at: datetime.datetime | None = None,
    source: str = "",
) -> Invoice:
    """Record the transfer and settle the invoice's order, once: the invoice row is locked,
    a paid invoice or an already recorded bank reference raises InvoicePaymentError and
    changes nothing. Only the full amount settles (partial transfers are not guessed at)."""
    amount = to_yuan(amount)
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().select_related("order").get(pk=invoice.pk)
        if invoice.is_paid:
            raise InvoicePaymentError(_("发票 %(number)s 已结清。") % {"number": invoice.number})
        if amount != invoice.amount:
            raise InvoicePaymentError(
                _("到账金额 %(amount)s 与发票金额 %(due)s 不一致，未登记。")
                % {"amount": format_yuan(amount), "due": format_yuan(invoice.amount)}
            )
        try:
            with transaction.atomic():
                BankTransfer.objects.create(
                    invoice=invoice,
                    bank_reference=bank_reference,
                    amount=amount,
                    booked_on=booked_on,
                    payer=payer[:128],
                    source=source
                    or (BankTransfer.Source.STATEMENT if statement else BankTransfer.Source.MANUAL),
                    statement=statement,
                    recorded_by=recorded_by,
                )
        except IntegrityError as exc:
            # Only the unique bank reference means "recorded before"; any other refusal
            # (an amount the database does not take) is a fault and goes up as it is.
            if not BankTransfer.objects.filter(bank_reference=bank_reference).exists():
                raise
            raise InvoicePaymentError(
                _("银行流水号 %(reference)s 已登记过。") % {"reference": bank_reference}
            ) from exc
        event = order_settle_offline(
            order=invoice.order,
            reference=invoice.number,
            source_name=SOURCE_TYPE,
            settled_at=settled_at,
        )
        invoice.state = Invoice.State.PAID
        invoice.paid_on = booked_on
        invoice.payment_event = event
        invoice.save(update_fields=["state", "paid_on", "payment_event"])
    return invoice


def invoice_payment_record(
    *,
    invoice: Invoice,
    actor,
    amount: str | Decimal,
    bank_reference: str,
    booked_on: datetime.date,
    payer: str = "",
) -> Invoice:
    """Platform finance records one transfer by hand."""
    if not actor.has_perm("invoicing.record_payment"):
        raise PermissionDenied
    bank_reference = bank_reference.strip()
    if not bank_reference:
        raise InvoicePaymentError(_("请填写银行流水号。"))
    try:
        amount = to_yuan(amount)
    except MoneyError as exc:
        raise InvoicePaymentError(_("金额无效。")) from exc
    return invoice_settle(
        invoice=invoice,
        amount=amount,
        bank_reference=bank_reference,
        booked_on=booked_on,
        recorded_by=actor,
        payer=payer,
    )
