from django.contrib import admin

from .models import Agreement, EvaluationYear, Indicator, Pairing, PurchaseFact, Scorecard


@admin.register(Pairing)
class PairingAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "start_year", "end_year")
    list_filter = ("kind",)
    raw_id_fields = ("east_region", "west_region", "assisting_organisation")


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ("pairing", "year", "target_bought", "target_helped", "target_households")
    list_filter = ("year",)
    raw_id_fields = ("pairing",)


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("year", "position", "name", "measure", "filter", "target_source", "weight")
    list_filter = ("year", "measure")


@admin.register(EvaluationYear)
class EvaluationYearAdmin(admin.ModelAdmin):
    list_display = ("year", "grade_good", "grade_fairly_good", "grade_average", "locked_at")
    # Locking goes through the evaluator's screen (year_lock), never through a form.
    readonly_fields = ("locked_at", "locked_by")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Facts and scorecards come from transactions only: no one edits them by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(PurchaseFact)
class PurchaseFactAdmin(ReadOnlyAdmin):
    list_display = ("occurred_at", "kind", "order", "amount", "year", "counts", "bought_pairing")
    list_filter = ("year", "kind", "counts")
    list_select_related = ("order", "bought_pairing__east_region", "bought_pairing__west_region")


@admin.register(Scorecard)
class ScorecardAdmin(ReadOnlyAdmin):
    list_display = ("pairing", "year", "total", "grade", "rank")
    list_filter = ("year", "grade")
    list_select_related = ("pairing__east_region", "pairing__west_region")
