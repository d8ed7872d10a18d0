"""The county office's income pages: balances and overdue payouts, statements, the
early-warning list with each warning's follow-ups, and households' other income. Only
households of the officer's own county (else 404)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from producers.access import CountyOfficerRequiredMixin
from producers.models import Household

from .. import selectors_monitoring as monitoring
from ..balances import household_balances, household_statement
from ..forms import FollowUpForm, OtherIncomeForm, OtherIncomeVoidForm
from ..models import OtherIncome
from ..services.followups import warning_follow_up_record
from ..services.other_income import other_income_record, other_income_void
from .exports import balances_csv, statement_csv


class CountyBalanceListView(CountyOfficerRequiredMixin, TemplateView):
    """Every household's attributed, paid and owed income; ?overdue=1 lists only income
    unpaid after INCOME_PAYOUT_OVERDUE_DAYS."""

    template_name = "income/county/balances.html"

    def get(self, request, *args, **kwargs):
        rows = household_balances(county=self.county)
        overdue_only = request.GET.get("overdue") == "1"
        if overdue_only:
            rows = [r for r in rows if r["overdue"] > 0]
        if request.GET.get("format") == "csv":
            return balances_csv(rows=rows, filename="county-balances.csv")
        return self.render_to_response(
            self.get_context_data(county=self.county, rows=rows, overdue_only=overdue_only)
        )


class CountyStatementView(CountyOfficerRequiredMixin, TemplateView):
    template_name = "income/county/statement.html"

    def get(self, request, *args, **kwargs):
        household = Household.objects.filter(pk=kwargs["pk"], county=self.county).first()
        if household is None:
            raise Http404
        statement = household_statement(household=household)
        if request.GET.get("format") == "csv":
            return statement_csv(statement=statement, filename=f"statement-{household.pk}.csv")
        return self.render_to_response(
            self.get_context_data(county=self.county, statement=statement)
        )


def _form_errors_from(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


class WarningListView(CountyOfficerRequiredMixin, TemplateView):
    """The county's warnings, unresolved first; ?overdue=1 lists only those whose review
    date has passed."""

    template_name = "income/county/warnings.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        overdue_only = self.request.GET.get("overdue") == "1"
        warnings = monitoring.county_warnings(
            county=self.county, overdue_only=overdue_only, today=today
        )[:500]
        return super().get_context_data(
            county=self.county,
            warnings=warnings,
            overdue_only=overdue_only,
            overdue_count=monitoring.county_overdue_count(county=self.county, today=today),
            line=monitoring.income_threshold_in_force(county=self.county, year=today.year),
            today=today,
            **kwargs,
        )


class WarningDetailView(CountyOfficerRequiredMixin, TemplateView):
    """One warning, its follow-ups (the trail) and the form for the next one."""

    template_name = "income/county/warning.html"

    def get_context_data(self, **kwargs):
        warning = monitoring.county_warning_get(county=self.county, pk=self.kwargs["pk"])
        if warning is None:
            raise Http404
        return super().get_context_data(
            county=self.county,
            warning=warning,
            follow_ups=monitoring.warning_follow_ups(warning=warning),
            form=kwargs.pop("form", None) or FollowUpForm(),
            today=timezone.localdate(),
            **kwargs,
        )


class WarningFollowUpView(WarningDetailView):
    """Records a follow-up; bad input shows the page again with the reasons, nothing
    changed."""

    def get(self, request, *args, **kwargs):
        return redirect("income:county-warning", pk=kwargs["pk"])

    def post(self, request, pk):
        warning = monitoring.county_warning_get(county=self.county, pk=pk)
        if warning is None:
            raise Http404
        form = FollowUpForm(request.POST)
        if form.is_valid():
            try:
                warning_follow_up_record(warning=warning, officer=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _form_errors_from(form, exc)
            else:
                messages.success(request, _("跟进记录已保存。"))
                return redirect("income:county-warning", pk=pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class OtherIncomeView(CountyOfficerRequiredMixin, TemplateView):
    """A household's income from other sources: the records (voided ones struck through)
    and the form for a new one."""

    template_name = "income/county/other_income.html"

    def _household(self):
        household = (
            Household.objects.select_related("village")
            .filter(pk=self.kwargs["pk"], county=self.county)
            .first()
        )
        if household is None:
            raise Http404
        return household

    def get_context_data(self, **kwargs):
        household = self._household()
        return super().get_context_data(
            county=self.county,
            household=household,
            records=monitoring.household_other_incomes(household=household),
            form=kwargs.pop("form", None)
            or OtherIncomeForm(initial={"year": timezone.localdate().year}),
            void_form=OtherIncomeVoidForm(),
            **kwargs,
        )

    def post(self, request, pk):
        household = self._household()
        form = OtherIncomeForm(request.POST)
        if form.is_valid():
            try:
                other_income_record(officer=request.user, household=household, **form.cleaned_data)
            except ValidationError as exc:
                _form_errors_from(form, exc)
            else:
                messages.success(request, _("其他收入已登记。"))
                return redirect("income:county-other-income", pk=pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class OtherIncomeVoidView(CountyOfficerRequiredMixin, View):
    def post(self, request, pk):
        record = get_object_or_404(
            OtherIncome.objects.select_related("household"),
            pk=pk,
            household__county=self.county,
        )
        form = OtherIncomeVoidForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请填写作废原因。"))
        else:
            try:
                other_income_void(
                    officer=request.user, record=record, reason=form.cleaned_data["void_reason"]
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, _("记录已作废。"))
        return redirect(reverse("income:county-other-income", args=[record.household_id]))
