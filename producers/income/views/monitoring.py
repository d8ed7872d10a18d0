"""The monitoring lines against return to poverty (防返贫监测线): platform staff set each
province's line for a year; every change keeps the old value, who and why, and how many
households it flagged or released."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from .. import selectors_monitoring as monitoring
from ..forms import IncomeThresholdForm
from ..models import IncomeThreshold
from ..services.monitoring import income_threshold_set


class LineSetterRequiredMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = "income.change_incomethreshold"

    def handle_no_permission(self):
        if self.request.user.is_authenticated:
            raise PermissionDenied
        return redirect_to_login(
            self.request.get_full_path(), self.get_login_url(), self.get_redirect_field_name()
        )


class MonitoringLineListView(LineSetterRequiredMixin, TemplateView):
    template_name = "income/monitoring_lines.html"

    def get_context_data(self, **kwargs):
        form = kwargs.pop("form", None) or IncomeThresholdForm(
            provinces=monitoring.provinces_list(), initial={"year": timezone.localdate().year}
        )
        return super().get_context_data(
            lines=monitoring.income_thresholds_list(), form=form, **kwargs
        )

    def post(self, request, *args, **kwargs):
        form = IncomeThresholdForm(request.POST, provinces=monitoring.provinces_list())
        if form.is_valid():
            try:
                revision = income_threshold_set(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(
                    request,
                    _("监测线已设定。新增预警 %(flagged)s 户，撤销预警 %(withdrawn)s 户。")
                    % {"flagged": revision.flagged, "withdrawn": revision.withdrawn},
                )
                return redirect("income:monitoring-line", pk=revision.threshold_id)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class MonitoringLineHistoryView(LineSetterRequiredMixin, TemplateView):
    template_name = "income/monitoring_line.html"

    def get_context_data(self, **kwargs):
        line = get_object_or_404(
            IncomeThreshold.objects.select_related("province", "set_by"), pk=self.kwargs["pk"]
        )
        return super().get_context_data(
            line=line, revisions=monitoring.income_threshold_history(threshold=line), **kwargs
        )
