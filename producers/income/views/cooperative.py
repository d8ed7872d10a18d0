"""The cooperative workspace's income pages: supply lots, payouts, balances, statements.
Every object is looked up within the staff member's own cooperative (else 404)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import FormView, TemplateView
from oscar.core.loading import get_model

from producers.access import CooperativeStaffRequiredMixin
from producers.models import Household

from ..balances import household_balances, household_statement
from ..forms import PayoutForm, SupplyItemFormSet, SupplyLotForm
from ..models import Payout, SupplyLot
from ..services.payouts import payout_record
from ..services.supply import supply_lot_record
from .exports import balances_csv, statement_csv

RECEIPT_TYPES = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}


def cooperative_households(cooperative):
    return (
        Household.objects.filter(benefit_links__cooperative=cooperative)
        .select_related("village")
        .distinct()
        .order_by("pk")
    )


class BalanceListView(CooperativeStaffRequiredMixin, TemplateView):
    template_name = "income/cooperative/balances.html"

    def get(self, request, *args, **kwargs):
        rows = household_balances(cooperative=self.cooperative)
        if request.GET.get("format") == "csv":
            return balances_csv(rows=rows, filename="balances.csv")
        return self.render_to_response(
            self.get_context_data(cooperative=self.cooperative, rows=rows)
        )


class StatementView(CooperativeStaffRequiredMixin, TemplateView):
    template_name = "income/cooperative/statement.html"

    def get(self, request, *args, **kwargs):
        household = cooperative_households(self.cooperative).filter(pk=kwargs["pk"]).first()
        if household is None:
            raise Http404
        statement = household_statement(household=household, cooperative=self.cooperative)
        if request.GET.get("format") == "csv":
            return statement_csv(statement=statement, filename=f"statement-{household.pk}.csv")
        return self.render_to_response(
            self.get_context_data(cooperative=self.cooperative, statement=statement)
        )


class PayoutListView(CooperativeStaffRequiredMixin, TemplateView):
    template_name = "income/cooperative/payouts.html"

    def get_context_data(self, **kwargs):
        payouts = Payout.objects.filter(cooperative=self.cooperative).select_related(
            "household__village"
        )[:200]
        return super().get_context_data(cooperative=self.cooperative, payouts=payouts, **kwargs)


class PayoutCreateView(CooperativeStaffRequiredMixin, FormView):
    template_name = "income/cooperative/payout_form.html"
    form_class = PayoutForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "households": cooperative_households(self.cooperative)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(cooperative=self.cooperative, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            payout_record(
                cooperative=self.cooperative,
                household=data["household"],
                amount=data["amount"],
                paid_on=data["paid_on"],
                method=data["method"],
                reference=data["reference"],
                receipt=self.request.FILES.get("receipt"),
                actor=self.request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
            return self.form_invalid(form)
        messages.success(self.request, _("兑付记录已保存。"))
        return redirect(reverse("income:cooperative-payouts"))


class PayoutReceiptView(CooperativeStaffRequiredMixin, View):
    """A payout's receipt, to the staff of the cooperative that paid it, never cached."""

    def get(self, request, pk):
        payout = get_object_or_404(
            Payout.objects.exclude(receipt=""), pk=pk, cooperative=self.cooperative
        )
        extension = payout.receipt.name.rsplit(".", 1)[-1].lower()
        response = FileResponse(
            payout.receipt.open("rb"),
            as_attachment=True,
            filename=f"receipt-{payout.pk}.{extension}",
            content_type=RECEIPT_TYPES.get(extension, "application/octet-stream"),
        )
        add_never_cache_headers(response)
        return response


class SupplyLotListView(CooperativeStaffRequiredMixin, TemplateView):
    template_name = "income/cooperative/supply_lots.html"

    def get_context_data(self, **kwargs):
        lots = (
            SupplyLot.objects.filter(cooperative=self.cooperative)
            .select_related("product")
            .prefetch_related("items__household__village")[:100]
        )
        return super().get_context_data(cooperative=self.cooperative, lots=lots, **kwargs)


class SupplyLotCreateView(CooperativeStaffRequiredMixin, TemplateView):
    template_name = "income/cooperative/supply_lot_form.html"

    def _forms(self, data=None):
        Product = get_model("catalogue", "Product")
        products = Product.objects.filter(cooperative=self.cooperative).order_by("title")
        households = cooperative_households(self.cooperative)
        return (
            SupplyLotForm(data, products=products),
            SupplyItemFormSet(data, form_kwargs={"households": households}, prefix="items"),
        )

    def get(self, request, *args, **kwargs):
        form, formset = self._forms()
        return self.render_to_response(self._context(form, formset))

    def _context(self, form, formset):
        return self.get_context_data(cooperative=self.cooperative, form=form, formset=formset)

    def post(self, request, *args, **kwargs):
        form, formset = self._forms(request.POST)
        if form.is_valid() and formset.is_valid():
            items = [
                (f.cleaned_data["household"], f.cleaned_data["quantity"])
                for f in formset
                if f.cleaned_data
            ]
            try:
                supply_lot_record(
                    cooperative=self.cooperative,
                    product=form.cleaned_data["product"],
                    supplied_on=form.cleaned_data["supplied_on"],
                    items=items,
                    note=form.cleaned_data["note"],
                    actor=request.user,
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("收购批次已保存。"))
                return redirect(reverse("income:cooperative-supply-lots"))
        return self.render_to_response(self._context(form, formset))
