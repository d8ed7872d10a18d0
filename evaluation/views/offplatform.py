"""Off-platform sales: the eastern organisation's admin records and corrects them, the
cooperative (or, for one without staff, its county office) confirms or rejects them, and
the recorder, the cooperative, its county office and evaluators read them and download
their evidence. A record outside the user's scope is a 404; a step the user may not take
on a record they can see is a 403."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from producers.access import officer_county, staff_cooperative
from producers.services.audit import audit_record

from ..forms_offplatform import OffPlatformSaleForm, RejectForm, SupplyForm
from ..models import OffPlatformSale
from ..selectors import offplatform as selectors
from ..services import offplatform as services

CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}


def _error_text(error: ValidationError) -> str:
    return "；".join(str(message) for message in error.messages)


def _form_error_text(form) -> str:
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        parts.extend(f"{label}：{error}" if label else str(error) for error in errors)
    return "；".join(parts)


class RecorderRequiredMixin(LoginRequiredMixin):
    """Admins of an eastern organisation; anyone else signed in gets 403."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.organisations = list(selectors.recorder_organisations(user=request.user))
        if not self.organisations:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class DeciderRequiredMixin(LoginRequiredMixin):
    """Cooperative staff, and county officers (for cooperatives without staff)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if staff_cooperative(request.user) is None and officer_county(request.user) is None:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class OffPlatformListView(RecorderRequiredMixin, TemplateView):
    template_name = "evaluation/offplatform/list.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            organisations=self.organisations,
            sales=list(selectors.offplatform_sales_of_recorder(user=self.request.user)[:500]),
            **kwargs,
        )


class OffPlatformRecordView(RecorderRequiredMixin, TemplateView):
    template_name = "evaluation/offplatform/record.html"
    corrects = None

    def get_corrects(self):
        return None

    def get_context_data(self, **kwargs):
        kwargs.setdefault(
            "form", OffPlatformSaleForm(user=self.request.user, corrects=self.corrects)
        )
        return super().get_context_data(corrects=self.corrects, **kwargs)

    def get(self, request, *args, **kwargs):
        self.corrects = self.get_corrects()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.corrects = self.get_corrects()
        form = OffPlatformSaleForm(
            request.POST, request.FILES, user=request.user, corrects=self.corrects
        )
        if not form.is_valid():
            messages.error(request, _form_error_text(form))
            return self.render_to_response(self.get_context_data(form=form))
        try:
            sale = services.offplatform_sale_record(actor=request.user, **form.service_kwargs())
        except ValidationError as error:
            messages.error(request, _error_text(error))
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, _("已登记，等待合作社确认后计入帮助销售额。"))
        return redirect("evaluation:offplatform-detail", pk=sale.pk)


class OffPlatformCorrectView(OffPlatformRecordView):
    """A correction of a confirmed record: a new record that replaces it once confirmed."""

    def get_corrects(self):
        sale = selectors.offplatform_sale_get(sale_id=self.kwargs["pk"], user=self.request.user)
        if sale.organisation not in self.organisations:
            raise PermissionDenied
        return sale


class OffPlatformInboxView(DeciderRequiredMixin, TemplateView):
    template_name = "evaluation/offplatform/inbox.html"

    def get_context_data(self, **kwargs):
        sales = list(selectors.offplatform_sales_to_decide(user=self.request.user)[:500])
        return super().get_context_data(
            pending=[s for s in sales if s.state == OffPlatformSale.State.PENDING],
            decided=[s for s in sales if s.state != OffPlatformSale.State.PENDING],
            **kwargs,
        )


class OffPlatformDetailView(LoginRequiredMixin, TemplateView):
    template_name = "evaluation/offplatform/detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        sale = selectors.offplatform_sale_get(sale_id=self.kwargs["pk"], user=user)
        pending = sale.state == OffPlatformSale.State.PENDING
        return super().get_context_data(
            sale=sale,
            can_decide=pending and services.is_decider_for(user=user, sale=sale),
            can_correct=sale.state == OffPlatformSale.State.CONFIRMED
            and services.is_recorder_for(user=user, organisation=sale.organisation)
            and not any(c.state != OffPlatformSale.State.REJECTED for c in sale.corrections.all()),
            reject_form=RejectForm(),
            can_record_supply=services.can_record_supply(user=user, sale=sale),
            supply_recorded=sale.state == OffPlatformSale.State.CONFIRMED
            and services.supply_recorded(sale=sale),
            **kwargs,
        )


class OffPlatformSupplyView(LoginRequiredMixin, TemplateView):
    """The cooperative (whoever confirms the sale) records the supply lots behind a
    confirmed sale: then its money enters the households' income ledger."""

    template_name = "evaluation/offplatform/supply.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.sale = selectors.offplatform_sale_get(sale_id=kwargs["pk"], user=request.user)
        if not services.is_decider_for(user=request.user, sale=self.sale):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def form(self, data=None) -> SupplyForm:
        households = selectors.cooperative_households(cooperative=self.sale.cooperative)
        return SupplyForm(data, sale=self.sale, households=households)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", self.form())
        return super().get_context_data(sale=self.sale, **kwargs)

    def post(self, request, *args, **kwargs):
        form = self.form(request.POST)
        if not form.is_valid():
            messages.error(request, _form_error_text(form))
            return self.render_to_response(self.get_context_data(form=form))
        try:
            services.offplatform_supply_record(
                sale=self.sale, actor=request.user, supply=form.supply()
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(
            request, _("收购批次已登记，这笔销售的收益已按利益联结方案计入农户收益台账。")
        )
        return redirect("evaluation:offplatform-detail", pk=self.sale.pk)


class OffPlatformEvidenceView(LoginRequiredMixin, View):
    def get(self, request, pk: int, evidence_id: int):
        sale = selectors.offplatform_sale_get(sale_id=pk, user=request.user)
        evidence = selectors.offplatform_evidence_get(sale=sale, evidence_id=evidence_id)
        audit_record(
            actor=request.user,
            action="offplatform.evidence.view",
            target=sale.cooperative,
            sale=sale.pk,
            evidence=evidence.pk,
        )
        extension = evidence.file.name.rsplit(".", 1)[-1].lower()
        response = FileResponse(
            evidence.file.open("rb"),
            as_attachment=True,
            filename=f"offplatform-{sale.pk}-{evidence.pk}.{extension}",
            content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
        )
        add_never_cache_headers(response)
        return response


class _DecisionView(LoginRequiredMixin, View):
    http_method_names = ["post"]

    def post(self, request, pk: int):
        sale = selectors.offplatform_sale_get(sale_id=pk, user=request.user)
        if not services.is_decider_for(user=request.user, sale=sale):
            raise PermissionDenied
        try:
            self.decide(sale)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        return redirect("evaluation:offplatform-detail", pk=sale.pk)


class OffPlatformConfirmView(_DecisionView):
    def decide(self, sale):
        services.offplatform_sale_confirm(sale=sale, actor=self.request.user)
        messages.success(self.request, _("已确认，这笔销售计入帮助销售额。"))


class OffPlatformRejectView(_DecisionView):
    def decide(self, sale):
        form = RejectForm(self.request.POST)
        reason = form.data.get("reason", "")
        services.offplatform_sale_reject(sale=sale, actor=self.request.user, reason=reason)
        messages.success(self.request, _("已拒绝，这笔销售不计入帮助销售额。"))
