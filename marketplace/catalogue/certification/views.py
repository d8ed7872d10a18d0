from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView, ListView
from oscar.core.loading import get_model

from producers.access import CooperativeStaffRequiredMixin, CountyOfficerRequiredMixin

from .. import services
from .forms import CertificateIssueForm, ReasonForm

Product = get_model("catalogue", "Product")
ProductCertificate = get_model("catalogue", "ProductCertificate")


def _error_text(error: ValidationError) -> str:
    return "；".join(str(message) for message in error.messages)


class CountyCertificateListView(CountyOfficerRequiredMixin, ListView):
    permission_required = ("catalogue.view_productcertificate",)
    template_name = "catalogue/certification/county_list.html"
    context_object_name = "certificates"
    paginate_by = 50

    def get_queryset(self):
        certificates = ProductCertificate.objects.filter(
            product__cooperative__county=self.county
        ).select_related("product__cooperative", "issued_by")
        state = self.request.GET.get("state")
        if state in ProductCertificate.State.values:
            certificates = certificates.filter(state=state)
        return certificates.order_by("state", "-requested_at", "-pk")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            county=self.county,
            states=ProductCertificate.State.choices,
            current_state=self.request.GET.get("state", ""),
            **kwargs,
        )


class CountyCertificateDetailView(CountyOfficerRequiredMixin, DetailView):
    permission_required = ("catalogue.view_productcertificate",)
    template_name = "catalogue/certification/county_detail.html"
    context_object_name = "certificate"

    def get_queryset(self):
        return ProductCertificate.objects.filter(
            product__cooperative__county=self.county
        ).select_related("product__cooperative", "issued_by", "requested_by")

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            county=self.county,
            events=self.object.events.select_related("actor"),
            issue_form=kwargs.pop("issue_form", None) or CertificateIssueForm(),
            reason_form=ReasonForm(),
            **kwargs,
        )


class CountyCertificateDecisionView(CountyOfficerRequiredMixin, View):
    """POST only: issue, reject, suspend, reinstate or revoke one certificate."""

    permission_required = ("catalogue.certify_product",)
    decisions = {
        "reject": services.certificate_reject,
        "suspend": services.certificate_suspend,
        "reinstate": services.certificate_reinstate,
        "revoke": services.certificate_revoke,
    }
    http_method_names = ["post"]

    def post(self, request, pk, decision):
        certificate = get_object_or_404(
            ProductCertificate, pk=pk, product__cooperative__county=self.county
        )
        try:
            if decision == "issue":
                form = CertificateIssueForm(request.POST)
                if not form.is_valid():
                    view = CountyCertificateDetailView(request=request, kwargs={"pk": pk})
                    view.county = self.county
                    view.object = certificate
                    context = view.get_context_data(issue_form=form)
                    return view.render_to_response(context, status=400)
                services.certificate_issue(
                    certificate=certificate, officer=request.user, **form.cleaned_data
                )
            elif decision in self.decisions:
                form = ReasonForm(request.POST)
                form.is_valid()
                self.decisions[decision](
                    certificate=certificate,
                    officer=request.user,
                    reason=form.cleaned_data.get("reason", ""),
                )
            else:
                return redirect("catalogue-certification:county-detail", pk=pk)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("已保存认定决定。"))
        return redirect("catalogue-certification:county-detail", pk=pk)


class CooperativeProductListView(CooperativeStaffRequiredMixin, ListView):
    permission_required = ("catalogue.view_productcertificate",)
    template_name = "catalogue/certification/cooperative_products.html"
    context_object_name = "products"
    paginate_by = 50

    def get_queryset(self):
        return (
            Product.objects.filter(cooperative=self.cooperative, parent=None)
            .prefetch_related("certificates")
            .order_by("title", "pk")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(cooperative=self.cooperative, **kwargs)


class CooperativeCertificateRequestView(CooperativeStaffRequiredMixin, View):
    permission_required = ("catalogue.add_productcertificate",)
    http_method_names = ["post"]

    def post(self, request, product_pk):
        product = get_object_or_404(Product, pk=product_pk, cooperative=self.cooperative)
        try:
            services.certificate_request(product=product, requester=request.user)
        except ValidationError as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("已向县扶贫办提交认定申请。"))
        return redirect("catalogue-certification:cooperative-products")
