"""The evaluators' monitoring page: slack after exit, supervision-target counties,
anomalies."""

from django.views.generic import TemplateView

from .. import selectors
from .screens import EvaluatorRequiredMixin, _year


class MonitoringView(EvaluatorRequiredMixin, TemplateView):
    template_name = "evaluation/monitoring.html"

    def get_context_data(self, **kwargs):
        year = _year(self.kwargs)
        context = super().get_context_data(**kwargs)
        context.update(
            year=year,
            slack=selectors.slack_flags(year=year),
            supervision=selectors.supervision_targets(year=year),
            anomalies=selectors.anomalies(year=year),
        )
        return context
