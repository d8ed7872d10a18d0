"""The evaluators' monitoring page: slack after exit with each flag's follow-up, overdue
reviews, supervision-target counties, anomalies; and one slack flag's follow-up trail."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from producers.income.forms import FollowUpForm

from .. import selectors
from ..models import Pairing
from ..selectors.monitoring import (
    slack_follow_ups,
    slack_follow_ups_latest,
    slack_reviews_overdue,
)
from ..services.followups import slack_follow_up_record
from .screens import EvaluatorRequiredMixin, _year


def _form(data=None) -> FollowUpForm:
    return FollowUpForm(data, closes_label=_("已整改，办结"))


class MonitoringView(EvaluatorRequiredMixin, TemplateView):
    template_name = "evaluation/monitoring.html"

    def get_context_data(self, **kwargs):
        year = _year(self.kwargs)
        today = timezone.localdate()
        latest = slack_follow_ups_latest(year=year)
        slack = selectors.slack_flags(year=year)
        for row in slack:
            row["follow_up"] = latest.get(row["pairing"].pk)
        context = super().get_context_data(**kwargs)
        context.update(
            year=year,
            today=today,
            slack=slack,
            overdue=slack_reviews_overdue(today=today),
            supervision=selectors.supervision_targets(year=year),
            anomalies=selectors.anomalies(year=year),
        )
        return context


class SlackFollowUpView(EvaluatorRequiredMixin, TemplateView):
    """One pairing's slack follow-ups of a year and the form for the next one."""

    template_name = "evaluation/slack_follow_up.html"

    def _pairing(self) -> Pairing:
        pairing = (
            Pairing.objects.select_related("east_region", "west_region")
            .filter(pk=self.kwargs["pairing_id"])
            .first()
        )
        if pairing is None:
            raise Http404
        return pairing

    def get_context_data(self, **kwargs):
        year = _year(self.kwargs)
        pairing = self._pairing()
        follow_ups = slack_follow_ups(pairing=pairing, year=year)
        row = next(
            (r for r in selectors.slack_flags(year=year) if r["pairing"].pk == pairing.pk), None
        )
        if row is None and not follow_ups:
            raise Http404  # no purchases from exited counties: nothing to follow up
        context = super().get_context_data(**kwargs)
        context.update(
            year=year,
            pairing=pairing,
            row=row,
            follow_ups=follow_ups,
            closed=bool(follow_ups) and follow_ups[-1].closes,
            can_record=self.request.user.has_perm("evaluation.record_slack_follow_up"),
            form=kwargs.get("form") or _form(),
            today=timezone.localdate(),
        )
        return context

    def post(self, request, year: int, pairing_id: int):
        if not request.user.has_perm("evaluation.record_slack_follow_up"):
            raise PermissionDenied
        pairing = self._pairing()
        form = _form(request.POST)
        if form.is_valid():
            try:
                slack_follow_up_record(
                    evaluator=request.user,
                    pairing=pairing,
                    year=_year(self.kwargs),
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("跟进记录已保存。"))
                return redirect("evaluation:slack-follow-up", year=year, pairing_id=pairing_id)
        return self.render_to_response(self.get_context_data(form=form), status=400)
