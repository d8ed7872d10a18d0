from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Membership, Organisation, ProcurementBudget, PurchaseRequest


class MembershipInline(admin.TabularInline):
    model = Membership
    raw_id_fields = ("user", "decided_by")
    extra = 0
    # Join requests are decided in the organisation's workspace (membership_decide).
    readonly_fields = ("state", "requested_at", "decided_by", "decided_at")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "home_region", "reserved_share")
    list_filter = ("kind",)
    search_fields = ("name", "credit_code")
    raw_id_fields = ("home_region",)
    inlines = [MembershipInline]


@admin.register(ProcurementBudget)
class ProcurementBudgetAdmin(admin.ModelAdmin):
    list_display = ("organisation", "year", "canteen_food_budget", "reserved_share")
    list_filter = ("year",)


# Requests are submitted, approved and rejected through the organisation's services.
@admin.register(PurchaseRequest)
class PurchaseRequestAdmin(ReadOnlyAdmin):
    list_display = ("order_number", "organisation", "buyer", "amount", "state", "created_at")
    list_filter = ("state",)
    readonly_fields = [field.name for field in PurchaseRequest._meta.fields]
