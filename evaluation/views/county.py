"""A county's own report. County officers see their own county only (any other county: 404);
evaluators may open any county's. One click gives it as CSV, XLSX or PDF."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from producers.access import officer_county

from .. import county_exports
from ..selectors.county import county_get, county_report, county_report_counties

EVALUATOR_PERMISSION = "evaluation.view_scorecard"


class CountyReportAccessMixin:
    """Sets self.own_county (the officer's county, or None for an evaluator). Anonymous users
    go to login; signed-in users who are neither county officers nor evaluators get 403."""

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.is_evaluator = user.has_perm(EVALUATOR_PERMISSION)
        self.own_county = None if self.is_evaluator else officer_county(user)
        if not self.is_evaluator and self.own_county is None:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def county_for(self, county_id: int):
        """The county asked for, if this user may see it; else 404 (never says it exists)."""
        if self.own_county is not None:
            if county_id != self.own_county.pk:
                raise Http404
            return self.own_county
        county = county_get(county_id=county_id)
        if county is None:
            raise Http404
        return county


def _year(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise Http404
    return year


class CountyReportIndexView(CountyReportAccessMixin, TemplateView):
    """An officer goes straight to this year's report of their county; an evaluator chooses
    a county."""

    template_name = "evaluation/county/index.html"

    def get(self, request, *args, **kwargs):
        year = timezone.localdate().year
        if self.own_county is not None:
            return redirect("evaluation:county-report", county_id=self.own_county.pk, year=year)
        return self.render_to_response(
            self.get_context_data(counties=county_report_counties(), year=year)
        )


class CountyReportView(CountyReportAccessMixin, TemplateView):
    def get_template_names(self):
        # Officers see it in their workspace; evaluators among the evaluation screens.
        if self.own_county is not None:
            return ["evaluation/county/report_officer.html"]
        return ["evaluation/county/report_evaluator.html"]

    def get_context_data(self, **kwargs):
        county = self.county_for(self.kwargs["county_id"])
        year = _year(self.kwargs["year"])
        report = county_report(county=county, year=year)
        context = super().get_context_data(**kwargs)
        context.update(
            county=county,
            year=year,
            report=report,
            changes=report.changes(),
            summary=county_exports.sections(report)[0],
            years=range(timezone.localdate().year, timezone.localdate().year - 6, -1),
        )
        return context


EXPORTS = {
    "csv": (county_exports.as_csv, "text/csv; charset=utf-8"),
    "xlsx": (
        county_exports.as_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "pdf": (county_exports.as_pdf, "application/pdf"),
}


class CountyReportExportView(CountyReportAccessMixin, View):
    def get(self, request, county_id: int, year: int, fmt: str):
        if fmt not in EXPORTS:
            raise Http404
        county = self.county_for(county_id)
        year = _year(year)
        render, content_type = EXPORTS[fmt]
        response = HttpResponse(
            render(report=county_report(county=county, year=year)), content_type=content_type
        )
        name = f"county-report-{county.pk}-{year}.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
