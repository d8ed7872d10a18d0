"""The county office's income pages: balances and overdue payouts, statements, and the
early-warning list. Only households of the officer's own county (else 404)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from producers.access import CountyOfficerRequiredMixin
from producers.models import Household

from ..balances import household_balances, household_statement
from ..models import EarlyWarning
from ..services.monitoring import warning_follow_up
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


class WarningListView(CountyOfficerRequiredMixin, TemplateView):
    template_name = "income/county/warnings.html"

    def get_context_data(self, **kwargs):
        warnings = (
            EarlyWarning.objects.filter(county=self.county)
            .select_related("household__village", "followed_up_by")
            .order_by("state", "-computed_on", "household_id")[:500]
        )
        return super().get_context_data(county=self.county, warnings=warnings, **kwargs)


class WarningFollowUpView(CountyOfficerRequiredMixin, View):
    def post(self, request, pk):
        warning = get_object_or_404(EarlyWarning, pk=pk, county=self.county)
        warning_follow_up(warning=warning, officer=request.user, note=request.POST.get("note", ""))
        messages.success(request, _("已标记为已跟进。"))
        return redirect(reverse("income:county-warnings"))
