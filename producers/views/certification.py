"""Supplier certification pages: the cooperative's own application (/cooperative/certification/)
and the county office's queue and decisions (/county/cooperatives/).

Staff only ever reach the cooperative the access mixin gives them; officers reach a
cooperative only through their own county, so any other is a 404. Evidence files are served
by these views after the same checks, never by a MEDIA URL."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView

from ..access import CooperativeStaffRequiredMixin, CountyOfficerRequiredMixin
from ..forms.certification import DocumentUploadForm, ReviewForm
from ..models import Cooperative, CooperativeDecision, CooperativeDocument
from ..selectors.certification import (
    cooperative_applications_for_county,
    cooperative_documents,
    cooperative_history,
)
from ..services.certification import (
    TRANSITIONS,
    can_add_documents,
    can_apply,
    cooperative_apply,
    cooperative_document_add,
    cooperative_document_open,
    cooperative_review,
    review_actions_allowed,
)

CONTENT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}
REVIEW_BUTTONS = {
    CooperativeDecision.Action.APPROVE: "btn-success",
    CooperativeDecision.Action.REJECT: "btn-danger",
    CooperativeDecision.Action.REQUEST_CHANGES: "btn-warning",
    CooperativeDecision.Action.SUSPEND: "btn-danger",
    CooperativeDecision.Action.REINSTATE: "btn-success",
}


def _error_text(error: ValidationError) -> str:
    return "；".join(str(message) for message in error.messages)


def _form_error_text(form) -> str:
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            parts.append(f"{label}：{error}" if label else str(error))
    return "；".join(parts)


def _document_response(*, document: CooperativeDocument, user) -> FileResponse:
    file = cooperative_document_open(document=document, user=user)
    extension = document.file.name.rsplit(".", 1)[-1].lower()
    response = FileResponse(
        file,
        as_attachment=True,
        filename=f"{document.get_kind_display()}-{document.pk}.{extension}",
        content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
    )
    add_never_cache_headers(response)
    return response


# --- cooperative -----------------------------------------------------------------------------


class CooperativeCertificationView(CooperativeStaffRequiredMixin, TemplateView):
    permission_required = (
        "producers.view_cooperativedocument",
        "producers.view_cooperativedecision",
    )
    template_name = "producers/cooperative/certification/overview.html"

    def get_context_data(self, **kwargs):
        cooperative = self.cooperative
        documents = list(cooperative_documents(cooperative=cooperative))
        history = list(cooperative_history(cooperative=cooperative))
        may_change = self.request.user.has_perm("producers.add_cooperativedocument")
        return super().get_context_data(
            cooperative=cooperative,
            documents=documents,
            history=history,
            latest_decision=history[-1] if history else None,
            upload_form=(
                DocumentUploadForm()
                if may_change and can_add_documents(state=cooperative.state)
                else None
            ),
            can_apply=may_change and can_apply(state=cooperative.state),
            has_business_licence=any(
                document.kind == CooperativeDocument.Kind.BUSINESS_LICENCE for document in documents
            ),
            **kwargs,
        )


class CooperativeDocumentUploadView(CooperativeStaffRequiredMixin, View):
    """POST only: add one evidence file to the staff member's own cooperative."""

    permission_required = ("producers.add_cooperativedocument",)
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = DocumentUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, _form_error_text(form))
            return redirect("producers:cooperative-certification")
        try:
            document = cooperative_document_add(
                cooperative=self.cooperative, actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(
                request, _("已上传材料：%(kind)s。") % {"kind": document.get_kind_display()}
            )
        return redirect("producers:cooperative-certification")


class CooperativeApplyView(CooperativeStaffRequiredMixin, View):
    """POST only: submit the staff member's own cooperative for certification."""

    permission_required = ("producers.add_cooperativedocument",)
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            cooperative_apply(cooperative=self.cooperative, actor=request.user)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("已提交认定申请，请等待县扶贫办审核。"))
        return redirect("producers:cooperative-certification")


class CooperativeDocumentDownloadView(CooperativeStaffRequiredMixin, View):
    permission_required = ("producers.view_cooperativedocument",)

    def get(self, request, *args, **kwargs):
        document = get_object_or_404(
            CooperativeDocument.objects.select_related("cooperative"),
            pk=self.kwargs["pk"],
            cooperative=self.cooperative,
        )
        return _document_response(document=document, user=request.user)


# --- county office ---------------------------------------------------------------------------


class CountyCooperativeMixin(CountyOfficerRequiredMixin):
    def get_cooperative(self) -> Cooperative:
        return get_object_or_404(
            Cooperative.objects.select_related("village", "village__parent", "county"),
            pk=self.kwargs["pk"],
            county=self.county,
        )


class CountyApplicationListView(CountyOfficerRequiredMixin, ListView):
    """The queue: cooperatives waiting for a decision first, then the county's others."""

    permission_required = ("producers.view_cooperative",)
    template_name = "producers/county/certification/queue.html"
    context_object_name = "cooperatives"
    paginate_by = 50

    def get_queryset(self):
        state = self.request.GET.get("state")
        self.state = state if state in Cooperative.State.values else ""
        return cooperative_applications_for_county(county=self.county, state=self.state or None)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            county=self.county,
            states=Cooperative.State.choices,
            current_state=self.state,
            **kwargs,
        )


class CountyCooperativeDetailView(CountyCooperativeMixin, TemplateView):
    permission_required = (
        "producers.view_cooperative",
        "producers.view_cooperativedocument",
        "producers.view_cooperativedecision",
    )
    template_name = "producers/county/certification/detail.html"

    def get_context_data(self, **kwargs):
        cooperative = self.get_cooperative()
        may_review = self.request.user.has_perm("producers.review_cooperative")
        actions = review_actions_allowed(state=cooperative.state) if may_review else []
        return super().get_context_data(
            county=self.county,
            cooperative=cooperative,
            documents=cooperative_documents(cooperative=cooperative),
            history=cooperative_history(cooperative=cooperative),
            review_choices=[
                {
                    "action": action,
                    "label": CooperativeDecision.Action(action).label,
                    "reason_required": TRANSITIONS[action].reason_required,
                    "button_class": REVIEW_BUTTONS[action],
                }
                for action in actions
            ],
            **kwargs,
        )


class CountyCooperativeReviewView(CountyCooperativeMixin, View):
    """POST only: approve, reject, request changes, suspend or reinstate one cooperative."""

    permission_required = ("producers.review_cooperative",)
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        cooperative = self.get_cooperative()
        form = ReviewForm(request.POST)
        if not form.is_valid():
            messages.error(request, _form_error_text(form))
            return redirect("producers:county-cooperative-detail", pk=cooperative.pk)
        try:
            decision = cooperative_review(
                cooperative=cooperative, officer=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(
                request,
                _("已记录决定：%(action)s。当前状态：%(state)s。")
                % {
                    "action": decision.get_action_display(),
                    "state": decision.get_to_state_display(),
                },
            )
        return redirect("producers:county-cooperative-detail", pk=cooperative.pk)


class CountyDocumentDownloadView(CountyOfficerRequiredMixin, View):
    permission_required = ("producers.view_cooperativedocument",)

    def get(self, request, *args, **kwargs):
        document = get_object_or_404(
            CooperativeDocument.objects.select_related("cooperative"),
            pk=self.kwargs["document_pk"],
            cooperative_id=self.kwargs["pk"],
            cooperative__county=self.county,
        )
        return _document_response(document=document, user=request.user)
