"""Acceptance, invoices and purchase statements in the organisation workspace, and the
platform finance pages that record transfers."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView
from oscar.core.loading import get_model

from marketplace.organisations.views import OrganisationMixin
from marketplace.payment import gateway
from marketplace.payment.services import webhook_event_receive

from . import documents, selectors
from .forms import AcceptanceForm, PaymentRecordForm, StatementUploadForm
from .models import Invoice
from .services import (
    AcceptanceError,
    InvoicePaymentError,
    acceptance_record,
    bank_statement_import,
    invoice_payment_record,
)
from .services.acceptance import order_any_shipped
from .services.stripe_invoicing import invoice_stripe_send

Order = get_model("order", "Order")


def _download(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class OrderDetailView(OrganisationMixin, TemplateView):
    """One of the organisation's orders, its shipments, acceptance and invoice."""

    template_name = "invoicing/order_detail.html"

    def _order(self):
        return get_object_or_404(
            Order.objects.select_related(
                "acceptance", "invoice", "shipping_address"
            ).prefetch_related("lines__cooperative__county", "shipments"),
            organisation=self.organisation,
            number=self.kwargs["number"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["order"] = order = self._order()
        # Nothing to accept or dispute before a parcel is on its way.
        context["acceptance_open"] = order_any_shipped(order)
        context.setdefault("form", AcceptanceForm())
        return context

    def post(self, request, pk, number):
        order = self._order()
        form = AcceptanceForm(request.POST)
        if form.is_valid():
            try:
                acceptance_record(
                    order=order,
                    user=request.user,
                    accepted=form.cleaned_data["result"] == "accept",
                    reason=form.cleaned_data["reason"],
                )
            except AcceptanceError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("验收结果已记录。"))
                return redirect("organisations:order", pk=pk, number=number)
        return self.render_to_response(self.get_context_data(form=form))


class InvoicesView(OrganisationMixin, TemplateView):
    template_name = "invoicing/invoices.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["invoices"] = selectors.organisation_invoices(organisation=self.organisation)
        return context


class InvoicePdfView(OrganisationMixin, View):
    def get(self, request, pk, number):
        invoice = get_object_or_404(
            Invoice.objects.select_related("order", "organisation"),
            organisation=self.organisation,
            number=number,
        )
        return _download(
            documents.invoice_pdf(invoice=invoice),
            content_type="application/pdf",
            filename=f"{invoice.number}.pdf",
        )


class FinanceMixin(LoginRequiredMixin, PermissionRequiredMixin):
    permission_required = "invoicing.record_payment"
    raise_exception = True


class FinanceInvoicesView(FinanceMixin, TemplateView):
    template_name = "invoicing/finance_invoices.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        state = self.request.GET.get("state", Invoice.State.ISSUED)
        context.update(
            invoices=selectors.invoices_for_finance(state=state if state in Invoice.State else ""),
            state=state,
            form=kwargs.get("form") or PaymentRecordForm(),
            stripe_invoicing=settings.STRIPE_INVOICING_ENABLED,
        )
        return context


class FinancePaymentView(FinanceMixin, View):
    http_method_names = ["post"]

    def post(self, request, invoice_id):
        invoice = get_object_or_404(Invoice, pk=invoice_id)
        form = PaymentRecordForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect("organisations:finance-invoices")
        try:
            invoice_payment_record(invoice=invoice, actor=request.user, **form.cleaned_data)
        except InvoicePaymentError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("发票 %(number)s 已登记到账并结算。") % {"number": invoice.number}
            )
        return redirect("organisations:finance-invoices")


class FinanceImportView(FinanceMixin, TemplateView):
    template_name = "invoicing/finance_import.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", StatementUploadForm())
        return context

    def post(self, request):
        form = StatementUploadForm(request.POST, request.FILES)
        result = None
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = bank_statement_import(
                    actor=request.user, file=upload, file_name=upload.name
                )
            except ValidationError as exc:
                form.add_error("file", exc)
        return self.render_to_response(self.get_context_data(form=form, result=result))


class FinanceStripeSendView(FinanceMixin, View):
    http_method_names = ["post"]

    def post(self, request, invoice_id):
        invoice = get_object_or_404(Invoice.objects.select_related("order__user"), pk=invoice_id)
        try:
            invoice_stripe_send(invoice=invoice, actor=request.user)
        except InvoicePaymentError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("发票 %(number)s 已通过 Stripe 发送。") % {"number": invoice.number}
            )
        return redirect("organisations:finance-invoices")


@method_decorator(csrf_exempt, name="dispatch")
class StripeInvoiceWebhookView(View):
    """Stripe Invoicing's webhook: signature verified, stored once by event id and processed
    like the payment webhook's events (invoice.paid settles the invoice Stripe reports)."""

    http_method_names = ["post"]

    def post(self, request):
        try:
            event = gateway.webhook_event_construct(
                payload=request.body, sig_header=request.headers.get("Stripe-Signature", "")
            )
        except gateway.SignatureError:
            return HttpResponse("invalid signature", status=400)
        except ValueError:  # EventMalformed, or a body that is not JSON
            return HttpResponse("malformed event", status=400)
        webhook_event_receive(event=event)
        return HttpResponse(status=200)
