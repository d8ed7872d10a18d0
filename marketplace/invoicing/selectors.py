"""Reads of invoices. (The organisation's purchase statement reads the income ledger too:
it is income tracing's, producers/income/purchase_statements.py.)"""

from marketplace.organisations.models import Organisation

from .models import Invoice


def organisation_invoices(*, organisation: Organisation):
    return (
        Invoice.objects.filter(organisation=organisation)
        .select_related("order")
        .order_by("-issued_on", "-number")
    )


def invoices_for_finance(*, state: str = ""):
    invoices = Invoice.objects.select_related("organisation", "order").order_by("due_on", "number")
    return invoices.filter(state=state) if state else invoices
