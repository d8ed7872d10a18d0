from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Acceptance, BankStatementImport, BankTransfer, Invoice


# Invoices, acceptances and bank transfers are written by the invoicing services (payment
# events, settlement announcements, audit of who recorded what): shown here, never edited.
@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdmin):
    list_display = ("number", "organisation", "amount", "issued_on", "due_on", "state", "paid_on")
    list_filter = ("state",)
    search_fields = ("number", "order__number", "organisation__name")
    # Settlement goes through the services (payment events, announcements), never the admin.
    readonly_fields = [field.name for field in Invoice._meta.fields]


@admin.register(Acceptance)
class AcceptanceAdmin(ReadOnlyAdmin):
    list_display = ("order", "state", "recorded_by", "recorded_at")
    readonly_fields = ("order", "state", "reason", "recorded_by", "recorded_at")


@admin.register(BankTransfer)
class BankTransferAdmin(ReadOnlyAdmin):
    list_display = ("bank_reference", "invoice", "amount", "booked_on", "source")
    readonly_fields = [field.name for field in BankTransfer._meta.fields]


@admin.register(BankStatementImport)
class BankStatementImportAdmin(ReadOnlyAdmin):
    list_display = ("file_name", "imported_by", "imported_at")
    readonly_fields = ("digest", "file_name", "imported_by", "imported_at", "report")
