from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin

from .models import (
    AuditEntry,
    BenefitLink,
    BenefitScheme,
    Cooperative,
    CooperativeDecision,
    CooperativeDocument,
    CountyOfficer,
    Household,
    Region,
    WageRecord,
)


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = (
        "code",
        "name",
        "level",
        "side",
        "is_poor_county",
        "is_deep_poverty",
        "is_supervision_target",
        "exit_year",
    )
    list_filter = ("level", "side", "is_deep_poverty", "is_supervision_target")
    search_fields = ("code", "name", "name_en")
    raw_id_fields = ("parent",)


@admin.register(Cooperative)
class CooperativeAdmin(admin.ModelAdmin):
    list_display = ("legal_name", "credit_code", "kind", "county", "state")
    list_filter = ("kind", "state")
    search_fields = ("legal_name", "credit_code")
    raw_id_fields = ("village",)
    # Certification is the county office's decision, made in the county workspace through
    # its service (audit record, storefront cache version); the admin only shows it.
    readonly_fields = ("state",)


@admin.register(CountyOfficer)
class CountyOfficerAdmin(admin.ModelAdmin):
    list_display = ("user", "county")
    raw_id_fields = ("user", "county")


# Households and benefit linkage: read-only here. Changes go through the county and
# cooperative workspaces, whose services check the office and write the audit log; the
# register number is never shown in full (only its mask, via __str__).
@admin.register(Household)
class HouseholdAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "village", "county", "size", "status", "registered_year")
    list_filter = ("status", "registered_year")
    list_select_related = ("village", "county")
    fields = (
        "masked_register_number",
        "village",
        "county",
        "size",
        "status",
        "baseline_income_per_head",
        "registered_year",
    )
    readonly_fields = fields


@admin.register(BenefitLink)
class BenefitLinkAdmin(ReadOnlyAdmin):
    list_display = ("cooperative", "household", "kind", "started_on", "ended_on")
    list_filter = ("kind",)
    list_select_related = ("cooperative", "household")
    fields = (
        "cooperative",
        "household",
        "kind",
        "supply_share",
        "equity_shares",
        "started_on",
        "ended_on",
    )
    readonly_fields = fields


@admin.register(WageRecord)
class WageRecordAdmin(ReadOnlyAdmin):
    list_display = ("link", "period_start", "period_end", "days_worked", "wages_paid")
    list_select_related = ("link__household", "link__cooperative")
    readonly_fields = ("link", "period_start", "period_end", "days_worked", "wages_paid")


@admin.register(BenefitScheme)
class BenefitSchemeAdmin(ReadOnlyAdmin):
    list_display = (
        "cooperative",
        "effective_from",
        "produce_share",
        "wage_share",
        "dividend_share",
        "created_by",
    )
    list_select_related = ("cooperative", "created_by")
    readonly_fields = (
        "cooperative",
        "effective_from",
        "produce_share",
        "wage_share",
        "dividend_share",
        "note",
        "created_by",
        "created_at",
    )


# Supplier certification and the audit log: read-only. Evidence is added and decisions are
# taken in the workspaces, whose services check the cooperative or county office and write
# the audit log; files are not linked here (they are served only by the workspaces' views).
@admin.register(CooperativeDocument)
class CooperativeDocumentAdmin(ReadOnlyAdmin):
    list_display = ("cooperative", "kind", "title", "uploaded_by", "uploaded_at")
    list_filter = ("kind",)
    list_select_related = ("cooperative", "uploaded_by")
    search_fields = ("cooperative__legal_name", "title")
    fields = ("cooperative", "kind", "title", "stored_name", "uploaded_by", "uploaded_at")
    readonly_fields = fields

    @admin.display(description=_("存储文件名"))
    def stored_name(self, document):
        return document.file.name


@admin.register(CooperativeDecision)
class CooperativeDecisionAdmin(ReadOnlyAdmin):
    list_display = ("cooperative", "action", "from_state", "to_state", "actor", "created_at")
    list_filter = ("action", "to_state")
    list_select_related = ("cooperative", "actor")
    search_fields = ("cooperative__legal_name",)
    readonly_fields = (
        "cooperative",
        "action",
        "from_state",
        "to_state",
        "reason",
        "actor",
        "created_at",
    )


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "actor", "action", "target_type", "target_id")
    list_filter = ("action", "target_type")
    list_select_related = ("actor", "target_type")
    search_fields = ("action", "target_id", "actor__email")
    date_hierarchy = "created_at"
    readonly_fields = ("created_at", "actor", "action", "target_type", "target_id", "detail")
