from django.contrib import admin

from .models import Membership, Organisation, ProcurementBudget, PurchaseRequest


class MembershipInline(admin.TabularInline):
    model = Membership
    raw_id_fields = ("user", "decided_by")
    extra = 0


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


@admin.register(PurchaseRequest)
class PurchaseRequestAdmin(admin.ModelAdmin):
    list_display = ("order_number", "organisation", "buyer", "amount", "state", "created_at")
    list_filter = ("state",)
    readonly_fields = [field.name for field in PurchaseRequest._meta.fields]
