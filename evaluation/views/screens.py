"""Evaluator screens: read-only except for locking a year. Every figure links to the facts
behind it, every fact to its order."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from producers.income.selectors import order_lines_trace

from .. import exports, selectors
from ..charts import volume_chart_svg
from ..forms import PairingTableFilterForm
from ..models import Indicator
from ..selectors.scorecards import provinces_by_code
from ..services.locking import year_lock


class EvaluatorRequiredMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = "evaluation.view_scorecard"

    def handle_no_permission(self):
        # Signed in without the role: 403, not a login loop.
        if self.request.user.is_authenticated:
            raise PermissionDenied
        return redirect_to_login(
            self.request.get_full_path(), self.get_login_url(), self.get_redirect_field_name()
        )


def _year(kwargs) -> int:
    year = kwargs.get("year")
    if year is None:
        years = selectors.evaluation_years()
        return years[0] if years else timezone.localdate().year
    if not 2000 <= year <= 2100:
        raise Http404
    return year


class PairingTableView(EvaluatorRequiredMixin, TemplateView):
    """A year's scorecards in rank order, a page at a time, narrowed by the filter form
    (western or eastern province, kind, grade, name). Exports stay the whole year."""

    template_name = "evaluation/table.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        year = _year(self.kwargs)
        form = PairingTableFilterForm(self.request.GET, provinces=provinces_by_code())
        paginator = Paginator(
            selectors.scorecards_for_year(year=year, **form.filters()), self.paginate_by
        )
        problems = form.problems()
        number = form.page_number()
        if number > paginator.num_pages:
            problems.append(
                _("没有第 %(page)s 页：共 %(pages)s 页，已显示最后一页。")
                % {"page": number, "pages": paginator.num_pages}
            )
        page = paginator.get_page(number)
        page.object_list = list(page.object_list)
        years = selectors.evaluation_years()
        context = super().get_context_data(**kwargs)
        context.update(
            year=year,
            years=years,
            has_scorecards=year in years,
            config=selectors.year_config(year=year),
            form=form,
            problems=problems,
            page=page,
            page_range=paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            filter_query=form.querystring(),
            scorecards=page.object_list,
            can_lock=self.request.user.has_perm("evaluation.lock_year"),
        )
        return context


class ScorecardView(EvaluatorRequiredMixin, TemplateView):
    template_name = "evaluation/scorecard.html"

    def get_context_data(self, **kwargs):
        year = _year(self.kwargs)
        card = selectors.scorecard_get(year=year, pairing_id=self.kwargs["pairing_id"])
        months = selectors.monthly_volume(pairing_id=card.pairing_id, year=year)
        context = super().get_context_data(**kwargs)
        context.update(year=year, card=card, months=months, chart=volume_chart_svg(months=months))
        return context


class ItemFactsView(EvaluatorRequiredMixin, TemplateView):
    template_name = "evaluation/item_facts.html"

    def get_context_data(self, **kwargs):
        item = selectors.scorecard_item_get(item_id=self.kwargs["item_id"])
        facts = list(selectors.scorecard_item_facts(item=item))
        context = super().get_context_data(**kwargs)
        context.update(
            item=item,
            card=item.scorecard,
            facts=facts,
            # The figure is the plain sum; the weighted sum is what the score reads.
            total=sum((f.amount for f in facts), 0),
            weighted_total=sum((f.weighted for f in facts), 0),
            is_money=item.indicator.measure in Indicator.MONEY_MEASURES,
        )
        return context


class FactView(EvaluatorRequiredMixin, TemplateView):
    template_name = "evaluation/fact.html"

    def get_context_data(self, **kwargs):
        fact = selectors.fact_get(fact_id=self.kwargs["fact_id"])
        context = super().get_context_data(**kwargs)
        context.update(
            fact=fact,
            # An off-platform sale's fact has no order line (nor ledger): its record instead.
            trace=order_lines_trace(lines=[fact.line_id]).get(fact.line_id, {})
            if fact.line_id
            else {},
            order_url=reverse("dashboard:order-detail", args=[fact.order.number])
            if fact.order_id
            else None,
        )
        return context


class LockYearView(EvaluatorRequiredMixin, View):
    permission_required = "evaluation.lock_year"

    def post(self, request, year: int):
        try:
            year_lock(year=year, evaluator=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(year)s年度已锁定，此后不再变化。") % {"year": year})
        return redirect("evaluation:table-year", year=year)


EXPORTS = {
    "csv": (exports.as_csv, "text/csv; charset=utf-8"),
    "xlsx": (
        exports.as_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "pdf": (exports.as_pdf, "application/pdf"),
}


class ExportView(EvaluatorRequiredMixin, View):
    def get(self, request, year: int, fmt: str):
        if fmt not in EXPORTS:
            raise Http404
        render, content_type = EXPORTS[fmt]
        response = HttpResponse(render(year=year), content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="scorecards-{year}.{fmt}"'
        return response


class PublicSummaryView(TemplateView):
    """Aggregates only: the CMS may link to or embed this page."""

    template_name = "evaluation/public_summary.html"

    def get_context_data(self, **kwargs):
        year = _year(self.kwargs)
        context = super().get_context_data(**kwargs)
        context["summary"] = selectors.public_summary(year=year)
        return context
