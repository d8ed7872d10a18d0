from django.contrib import admin

from .models import Acceptance, BankStatementImport, BankTransfer, Invoice


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ("number", "organisation", "amount", "issued_on", "due_on", "state", "paid_on")
    list_filter = ("state",)
    search_fields = ("number", "order__number", "organisation__name")
    # Settlement goes through the services (payment events, announcements), never the admin.
    readonly_fields = [field.name for field in Invoice._meta.fields]


@admin.register(Acceptance)
class AcceptanceAdmin(admin.ModelAdmin):
    list_display = ("order", "state", "recorded_by", "recorded_at")
    readonly_fields = ("order", "state", "reason", "recorded_by", "recorded_at")


@admin.register(BankTransfer)
class BankTransferAdmin(admin.ModelAdmin):
    list_display = ("bank_reference", "invoice", "amount", "booked_on", "source")
    readonly_fields = [field.name for field in BankTransfer._meta.fields]


@admin.register(BankStatementImport)
class BankStatementImportAdmin(admin.ModelAdmin):
    list_display = ("file_name", "imported_by", "imported_at")
    readonly_fields = ("digest", "file_name", "imported_by", "imported_at", "report")
