from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdmin

from .models import (
    Agreement,
    DesignatedBuyer,
    EvaluationYear,
    Indicator,
    OffPlatformSale,
    Pairing,
    PurchaseFact,
    Scorecard,
)


class DesignatedBuyerInline(admin.StackedInline):
    model = DesignatedBuyer
    raw_id_fields = ("organisation",)


# Pairing is producers' model; its admin stays with the evaluators who keep it.
@admin.register(Pairing)
class PairingAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "start_year", "end_year")
    list_filter = ("kind",)
    raw_id_fields = ("east_region", "west_region")
    inlines = (DesignatedBuyerInline,)


def _year_is_locked(year) -> bool:
    return EvaluationYear.objects.filter(year=year, locked_at__isnull=False).exists()


class OpenYearForm(forms.ModelForm):
    def clean(self):
        data = super().clean()
        if data.get("year") is not None and _year_is_locked(data["year"]):
            raise forms.ValidationError(_("该年度已锁定，不能再修改。"))
        return data


class LockedYearAdmin(admin.ModelAdmin):
    """A locked year's scorecards are final (year_lock locks it, nothing unlocks it): its
    row, agreements and indicators are then shown, never changed or deleted."""

    form = OpenYearForm

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and _year_is_locked(obj.year):
            return [field.name for field in self.model._meta.fields]
        return super().get_readonly_fields(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and _year_is_locked(obj.year):
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Agreement)
class AgreementAdmin(LockedYearAdmin):
    list_display = (
        "pairing",
        "year",
        "target_bought",
        "target_helped",
        "target_households",
        "target_people",
        "target_certified_products",
    )
    list_filter = ("year",)
    list_select_related = ("pairing__east_region", "pairing__west_region")
    raw_id_fields = ("pairing",)


@admin.register(Indicator)
class IndicatorAdmin(LockedYearAdmin):
    list_display = ("year", "position", "name", "measure", "filter", "target_source", "weight")
    list_filter = ("year", "measure")


@admin.register(EvaluationYear)
class EvaluationYearAdmin(LockedYearAdmin):
    list_display = ("year", "grade_good", "grade_fairly_good", "grade_average", "locked_at")
    # Locking goes through the evaluator's screen (year_lock), never through a form.
    readonly_fields = ("locked_at", "locked_by")


# Facts and scorecards come from transactions only: no one edits them by hand.
@admin.register(PurchaseFact)
class PurchaseFactAdmin(ReadOnlyAdmin):
    list_display = (
        "occurred_at",
        "kind",
        "order",
        "offplatform_sale",
        "amount",
        "year",
        "counts",
        "bought_pairing",
    )
    list_filter = ("year", "kind", "counts")
    list_select_related = (
        "order",
        "offplatform_sale__cooperative",
        "bought_pairing__east_region",
        "bought_pairing__west_region",
    )


# Off-platform sales are recorded, confirmed and corrected on their own pages, which check
# who acts on which record; the admin only reads them.
@admin.register(OffPlatformSale)
class OffPlatformSaleAdmin(ReadOnlyAdmin):
    list_display = (
        "pk",
        "sold_on",
        "channel_kind",
        "organisation",
        "cooperative",
        "amount",
        "state",
        "corrects",
    )
    list_filter = ("state", "channel_kind")
    list_select_related = ("organisation", "cooperative")
    raw_id_fields = ("organisation", "cooperative", "corrects")


@admin.register(Scorecard)
class ScorecardAdmin(ReadOnlyAdmin):
    list_display = ("pairing", "year", "total", "grade", "rank")
    list_filter = ("year", "grade")
    list_select_related = ("pairing__east_region", "pairing__west_region")
