"""The organisation workspace under /organisation/: joining, buying for the organisation,
approvals, members, budget and reserved-share progress. Every view that serves an
organisation loads it through access.organisation_for (404 for non-members)."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from marketplace.checkout.forms import ShippingAddressForm
from marketplace.order.placement import address_as_dict

from . import access, selectors
from .forms import (
    BasketUploadForm,
    BudgetForm,
    JoinForm,
    MembershipDecisionForm,
    OrganisationChoiceForm,
    RequestDecisionForm,
)
from .models import Membership, ProcurementBudget, PurchaseRequest
from .services import (
    MembershipError,
    OrganisationCheckoutError,
    membership_decide,
    membership_request,
    organisation_checkout_submit,
    purchase_request_approve,
    purchase_request_reject,
)
from .services.basket_import import (
    basket_import_max_rows,
    basket_import_template,
    basket_lines_import,
)


class OrganisationMixin(LoginRequiredMixin):
    """Loads self.organisation for members (and platform admins); 404 for anyone else.
    `allowed` narrows the view to a capability: buy, approve or manage (403 otherwise)."""

    allowed = "view"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.organisation = access.organisation_for(user=request.user, pk=kwargs["pk"])
        self.capabilities = access.capabilities(user=request.user, organisation=self.organisation)
        if not getattr(self.capabilities, self.allowed):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            organisation=self.organisation,
            may_buy=self.capabilities.buy,
            may_approve=self.capabilities.approve,
            may_manage=self.capabilities.manage,
        )
        return context


class HomeView(LoginRequiredMixin, TemplateView):
    """My organisations and join requests; ask to join another."""

    template_name = "organisations/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["memberships"] = selectors.memberships_of(user=self.request.user)
        context.setdefault("join_form", JoinForm())
        return context

    def post(self, request):
        form = JoinForm(request.POST)
        if form.is_valid():
            try:
                membership_request(
                    user=request.user,
                    organisation=form.organisation,
                    role=form.cleaned_data["role"],
                )
            except MembershipError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("加入申请已提交，请等待单位管理员审核。"))
                return redirect("organisations:home")
        return self.render_to_response(self.get_context_data(join_form=form))


class DashboardView(OrganisationMixin, TemplateView):
    template_name = "organisations/dashboard.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            year = int(self.request.GET.get("year", ""))
        except ValueError:
            year = timezone.localdate().year
        context["progress"] = selectors.reserved_share_progress(
            organisation=self.organisation, year=year
        )
        context["pending_requests"] = selectors.purchase_requests_pending(
            organisation=self.organisation
        ).count()
        return context


class BudgetView(OrganisationMixin, TemplateView):
    allowed = "manage"
    template_name = "organisations/budget.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", BudgetForm(organisation=self.organisation))
        context["budgets"] = self.organisation.budgets.all()
        return context

    def post(self, request, pk):
        year = request.POST.get("year", "")
        instance = (
            ProcurementBudget.objects.filter(organisation=self.organisation, year=year).first()
            if year.isdecimal() and year.isascii()
            else None
        )
        form = BudgetForm(request.POST, instance=instance, organisation=self.organisation)
        if form.is_valid():
            form.save()
            messages.success(request, _("年度预算已保存。"))
            return redirect("organisations:dashboard", pk=pk)
        return self.render_to_response(self.get_context_data(form=form))


class MembersView(OrganisationMixin, TemplateView):
    allowed = "manage"
    template_name = "organisations/members.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["members"] = selectors.organisation_members(organisation=self.organisation)
        return context


class MembershipDecideView(OrganisationMixin, View):
    allowed = "manage"
    http_method_names = ["post"]

    def post(self, request, pk, membership_id):
        membership = get_object_or_404(Membership, pk=membership_id, organisation=self.organisation)
        form = MembershipDecisionForm(request.POST)
        if form.is_valid():
            try:
                membership_decide(
                    membership=membership,
                    actor=request.user,
                    approve=form.cleaned_data["decision"] == "approve",
                )
            except MembershipError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("已处理加入申请。"))
        return redirect("organisations:members", pk=pk)


class OrdersView(OrganisationMixin, TemplateView):
    template_name = "organisations/orders.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["orders"] = selectors.organisation_orders(organisation=self.organisation)
        return context


class RequestsView(OrganisationMixin, TemplateView):
    template_name = "organisations/requests.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["requests"] = selectors.purchase_requests_pending(organisation=self.organisation)
        return context


class RequestDecideView(OrganisationMixin, View):
    allowed = "approve"
    http_method_names = ["post"]

    def post(self, request, pk, request_id):
        purchase = get_object_or_404(PurchaseRequest, pk=request_id, organisation=self.organisation)
        form = RequestDecisionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("请选择批准或驳回。"))
            return redirect("organisations:requests", pk=pk)
        try:
            if form.cleaned_data["decision"] == "approve":
                purchase = purchase_request_approve(request=purchase, approver=request.user)
                messages.success(
                    request,
                    _("已批准，订单 %(number)s 已提交。") % {"number": purchase.order.number},
                )
            else:
                purchase_request_reject(
                    request=purchase, approver=request.user, reason=form.cleaned_data["reason"]
                )
                messages.success(request, _("已驳回采购申请。"))
        except OrganisationCheckoutError as exc:
            messages.error(request, exc.message)
        return redirect("organisations:requests", pk=pk)


class CheckoutView(LoginRequiredMixin, TemplateView):
    """Buy for my organisation: the basket becomes an order of the organisation, paid on
    invoice after acceptance (or a purchase request above the approval threshold)."""

    template_name = "organisations/checkout.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.organisations = access.organisations_for_buyer(request.user)
        if not self.organisations.exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("choice_form", OrganisationChoiceForm(organisations=self.organisations))
        context.setdefault(
            "address_form", ShippingAddressForm(prefix="address", initial={"country": "CN"})
        )
        context["basket"] = self.request.basket
        return context

    def post(self, request):
        choice_form = OrganisationChoiceForm(request.POST, organisations=self.organisations)
        address_form = ShippingAddressForm(request.POST, prefix="address")
        if not (choice_form.is_valid() and address_form.is_valid()):
            return self.render_to_response(
                self.get_context_data(choice_form=choice_form, address_form=address_form)
            )
        organisation = choice_form.cleaned_data["organisation"]
        try:
            result = organisation_checkout_submit(
                basket=request.basket,
                user=request.user,
                organisation=organisation,
                shipping_address=address_as_dict(address_form.save(commit=False)),
                shipping_method_code="free-shipping",
            )
        except OrganisationCheckoutError as exc:
            messages.error(request, exc.message)
            return redirect("basket:summary")
        if isinstance(result, PurchaseRequest):
            messages.info(
                request,
                _("订单金额超过审批额度，已提交审批人审批，批准后自动下单。"),
            )
            return redirect("organisations:requests", pk=organisation.pk)
        messages.success(
            request,
            _("订单 %(number)s 已提交。收货验收后将开具发票，请按发票对公转账。")
            % {"number": result.number},
        )
        return redirect("organisations:order", pk=organisation.pk, number=result.number)


class BasketUploadView(LoginRequiredMixin, TemplateView):
    """Bulk basket from a CSV; every bad row listed, nothing added unless all rows are good."""

    template_name = "organisations/basket_upload.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not access.organisations_for_buyer(request.user).exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if request.GET.get("template"):
            response = HttpResponse(
                "\ufeff" + basket_import_template(), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = 'attachment; filename="basket.csv"'
            return response
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", BasketUploadForm())
        context["max_rows"] = basket_import_max_rows()
        return context

    def post(self, request):
        form = BasketUploadForm(request.POST, request.FILES)
        result = None
        if form.is_valid():
            try:
                result = basket_lines_import(basket=request.basket, file=form.cleaned_data["file"])
            except ValidationError as exc:
                form.add_error("file", exc)
            else:
                if result.ok:
                    messages.success(
                        request, _("已加入购物车：%(count)d 种商品。") % {"count": result.created}
                    )
                    return redirect(reverse("basket:summary"))
        context = self.get_context_data(form=form, result=result)
        if result is not None and not result.ok:
            # The page lists at most this many problems, then says how many more there are.
            shown = getattr(settings, "BASKET_IMPORT_ERRORS_SHOWN", 50)
            context.update(errors=result.errors[:shown], errors_more=len(result.errors[shown:]))
        return self.render_to_response(context)
