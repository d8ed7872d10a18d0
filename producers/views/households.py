"""Household pages: the county office's register (/county/households/) and the cooperative's
linked households (/cooperative/households/). Every object is looked up inside the
viewer's own county or cooperative, so anything else is a 404."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from ..access import CooperativeStaffRequiredMixin, CountyOfficerRequiredMixin
from ..forms.households import HouseholdFilterForm, HouseholdFindForm, HouseholdForm, ImportForm
from ..models import Household
from ..selectors.households import (
    household_audit_entries,
    households_for_cooperative,
    households_for_county,
)
from ..services import imports
from ..services.households import (
    household_create,
    household_register_number_reveal,
    household_update,
)

PAGE_SIZE = 25


def form_add_validation_error(form, error: ValidationError, field_names: dict | None = None):
    """Show a service's ValidationError on the form: on its field if the form has one."""
    field_names = field_names or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.error_dict.items():
        name = field_names.get(name, name)
        form.add_error(name if name in form.fields else None, errors)


def csv_download(content: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- county office ---------------------------------------------------------------------------


class CountyHouseholdMixin(CountyOfficerRequiredMixin):
    def get_household(self) -> Household:
        return get_object_or_404(
            Household.objects.select_related("village", "village__parent"),
            pk=self.kwargs["pk"],
            county=self.county,
        )


class HouseholdListView(CountyOfficerRequiredMixin, ListView):
    permission_required = ("producers.view_household",)
    template_name = "producers/county/households/list.html"
    context_object_name = "households"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        self.filter_form = HouseholdFilterForm(self.request.GET or None, county=self.county)
        filters = self.filter_form.cleaned_data if self.filter_form.is_valid() else {}
        return households_for_county(
            county=self.county,
            village=filters.get("village"),
            status=filters.get("status") or None,
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            county=self.county,
            filter_form=self.filter_form,
            find_form=HouseholdFindForm(),
            **kwargs,
        )


class HouseholdFindView(CountyOfficerRequiredMixin, View):
    """POST only: open the county's household with this register number."""

    http_method_names = ["post"]
    permission_required = ("producers.view_household",)

    def post(self, request, *args, **kwargs):
        form = HouseholdFindForm(request.POST)
        household = None
        if form.is_valid():
            household = households_for_county(
                county=self.county, search=form.cleaned_data["register_number"]
            ).first()
        if household is None:
            messages.warning(request, _("本县没有这个建档立卡编号的农户。"))
            return redirect("producers:county-households")
        return redirect("producers:county-household-detail", pk=household.pk)


class HouseholdDetailView(CountyHouseholdMixin, TemplateView):
    permission_required = ("producers.view_household",)
    template_name = "producers/county/households/detail.html"

    def get_context_data(self, **kwargs):
        household = self.get_household()
        return super().get_context_data(
            county=self.county,
            household=household,
            links=household.benefit_links.select_related("cooperative").order_by(
                "cooperative__legal_name", "kind"
            ),
            audit_entries=household_audit_entries(household=household),
            **kwargs,
        )


class HouseholdRevealView(HouseholdDetailView):
    """POST only: show the full register number once, on a page that is never cached."""

    http_method_names = ["post"]
    permission_required = ("producers.view_household", "producers.view_household_register")

    def post(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        context["revealed_register_number"] = household_register_number_reveal(
            user=request.user, household=context["household"]
        )
        # The entry just written belongs in the log shown on the same page.
        context["audit_entries"] = household_audit_entries(household=context["household"])
        response = self.render_to_response(context)
        add_never_cache_headers(response)
        return response


class HouseholdCreateView(CountyOfficerRequiredMixin, FormView):
    permission_required = ("producers.add_household",)
    template_name = "producers/county/households/form.html"
    form_class = HouseholdForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "county": self.county}

    def get_context_data(self, **kwargs):
        return super().get_context_data(county=self.county, **kwargs)

    def form_valid(self, form):
        try:
            household = household_create(officer=self.request.user, **form.service_fields())
        except ValidationError as error:
            form_add_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("已登记建档立卡户 %(number)s。") % {"number": household})
        return redirect("producers:county-household-detail", pk=household.pk)


class HouseholdUpdateView(CountyHouseholdMixin, FormView):
    permission_required = ("producers.change_household",)
    template_name = "producers/county/households/form.html"
    form_class = HouseholdForm

    def get_form_kwargs(self):
        self.household = self.get_household()
        return {**super().get_form_kwargs(), "county": self.county, "editing": True}

    def get_initial(self):
        return HouseholdForm.initial_for(self.household)

    def _erased_redirect(self):
        """An erased household's record is closed: back to its page, which says so."""
        household = self.get_household()
        if not household.is_erased:
            return None
        messages.info(self.request, _("该户的个人信息已按保存期限删除，记录不能再修改。"))
        return redirect("producers:county-household-detail", pk=household.pk)

    def get(self, request, *args, **kwargs):
        return self._erased_redirect() or super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        return self._erased_redirect() or super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(county=self.county, **kwargs)
        return {**context, "household": self.household}

    def form_valid(self, form):
        try:
            household_update(
                officer=self.request.user, household=self.household, **form.service_fields()
            )
        except ValidationError as error:
            form_add_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("已保存修改。"))
        return redirect("producers:county-household-detail", pk=self.household.pk)


class HouseholdImportView(CountyOfficerRequiredMixin, FormView):
    permission_required = ("producers.add_household",)
    template_name = "producers/county/households/import.html"
    form_class = ImportForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(county=self.county, **kwargs)

    def form_valid(self, form):
        try:
            result = imports.households_import(
                officer=self.request.user, file=form.cleaned_data["file"]
            )
        except ValidationError as error:
            form_add_validation_error(form, error, {"__all__": "file"})
            return self.form_invalid(form)
        if result.ok:
            messages.success(
                self.request, _("已导入%(count)d户建档立卡户。") % {"count": result.created}
            )
        return self.render_to_response(self.get_context_data(form=ImportForm(), result=result))


class HouseholdImportTemplateView(CountyOfficerRequiredMixin, View):
    permission_required = ("producers.add_household",)

    def get(self, request, *args, **kwargs):
        return csv_download(imports.household_import_template(), "households-template.csv")


# --- cooperative -----------------------------------------------------------------------------


class CooperativeHouseholdListView(CooperativeStaffRequiredMixin, ListView):
    permission_required = ("producers.view_household",)
    template_name = "producers/cooperative/households/list.html"
    context_object_name = "households"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return households_for_cooperative(cooperative=self.cooperative)

    def get_context_data(self, **kwargs):
        return super().get_context_data(cooperative=self.cooperative, **kwargs)


class CooperativeHouseholdDetailView(CooperativeStaffRequiredMixin, TemplateView):
    permission_required = ("producers.view_household",)
    template_name = "producers/cooperative/households/detail.html"

    def get_context_data(self, **kwargs):
        household = get_object_or_404(
            households_for_cooperative(cooperative=self.cooperative), pk=self.kwargs["pk"]
        )
        return super().get_context_data(cooperative=self.cooperative, household=household, **kwargs)
