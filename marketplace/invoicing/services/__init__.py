from .acceptance import AcceptanceError, acceptance_record
from .reminders import invoices_remind_overdue
from .settlement import InvoicePaymentError, invoice_payment_record, invoice_settle
from .statement_import import bank_statement_import

__all__ = [
    "AcceptanceError",
    "InvoicePaymentError",
    "acceptance_record",
    "bank_statement_import",
    "invoice_payment_record",
    "invoice_settle",
    "invoices_remind_overdue",
]
