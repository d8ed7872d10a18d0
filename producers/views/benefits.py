"""The cooperative's benefit-linkage pages (/cooperative/benefits/…): links to households,
wage records, scheme versions and the CSV import of links. Objects of another cooperative
are a 404."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from ..access import CooperativeStaffRequiredMixin
from ..forms.benefits import (
    BenefitLinkEndForm,
    BenefitLinkForm,
    BenefitSchemeForm,
    WageRecordForm,
)
from ..forms.households import ImportForm
from ..models import BenefitKind, BenefitLink, BenefitScheme
from ..selectors.benefits import (
    benefit_links_for_cooperative,
    benefit_scheme_in_force,
    benefit_scheme_versions,
)
from ..services import imports
from ..services.benefits import (
    benefit_link_create,
    benefit_link_end,
    benefit_scheme_version_add,
    wage_record_add,
)
from .households import PAGE_SIZE, csv_download, form_add_validation_error


class CooperativeFormView(CooperativeStaffRequiredMixin, FormView):
    def get_context_data(self, **kwargs):
        return super().get_context_data(cooperative=self.cooperative, **kwargs)


class CooperativeLinkMixin(CooperativeStaffRequiredMixin):
    def get_link(self) -> BenefitLink:
        return get_object_or_404(
            BenefitLink.objects.select_related("household", "household__village", "cooperative"),
            pk=self.kwargs["pk"],
            cooperative=self.cooperative,
        )


# --- links -----------------------------------------------------------------------------------


class BenefitLinkListView(CooperativeStaffRequiredMixin, ListView):
    permission_required = ("producers.view_benefitlink",)
    template_name = "producers/cooperative/benefits/link_list.html"
    context_object_name = "links"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        self.kind = self.request.GET.get("kind") or None
        if self.kind not in BenefitKind.values:
            self.kind = None
        return benefit_links_for_cooperative(cooperative=self.cooperative, kind=self.kind)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            cooperative=self.cooperative,
            kinds=BenefitKind.choices,
            selected_kind=self.kind,
            today=timezone.localdate(),
            **kwargs,
        )


class BenefitLinkCreateView(CooperativeFormView):
    permission_required = ("producers.add_benefitlink",)
    template_name = "producers/cooperative/benefits/link_form.html"
    form_class = BenefitLinkForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "cooperative": self.cooperative}

    def form_valid(self, form):
        try:
            link = benefit_link_create(
                actor=self.request.user, cooperative=self.cooperative, **form.service_fields()
            )
        except ValidationError as error:
            form_add_validation_error(form, error, {"household": "register_number"})
            return self.form_invalid(form)
        messages.success(self.request, _("已添加利益联结。"))
        return redirect("producers:cooperative-link-detail", pk=link.pk)


class BenefitLinkDetailView(CooperativeLinkMixin, TemplateView):
    permission_required = ("producers.view_benefitlink",)
    template_name = "producers/cooperative/benefits/link_detail.html"

    def get_context_data(self, **kwargs):
        link = self.get_link()
        return super().get_context_data(
            cooperative=self.cooperative,
            link=link,
            wage_records=link.wage_records.order_by("-period_start"),
            **kwargs,
        )


class BenefitLinkEndView(CooperativeLinkMixin, FormView):
    permission_required = ("producers.change_benefitlink",)
    template_name = "producers/cooperative/benefits/link_end.html"
    form_class = BenefitLinkEndForm

    def get_form_kwargs(self):
        self.link = self.get_link()
        return super().get_form_kwargs()

    def get_initial(self):
        return {"ended_on": timezone.localdate()}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(cooperative=self.cooperative, **kwargs)
        return {**context, "link": self.link}

    def form_valid(self, form):
        try:
            benefit_link_end(
                actor=self.request.user, link=self.link, ended_on=form.cleaned_data["ended_on"]
            )
        except ValidationError as error:
            form_add_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("联结已结束。"))
        return redirect("producers:cooperative-link-detail", pk=self.link.pk)


class WageRecordCreateView(CooperativeLinkMixin, FormView):
    permission_required = ("producers.add_wagerecord",)
    template_name = "producers/cooperative/benefits/wage_form.html"
    form_class = WageRecordForm

    def get_form_kwargs(self):
        self.link = self.get_link()
        return super().get_form_kwargs()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(cooperative=self.cooperative, **kwargs)
        return {**context, "link": self.link}

    def form_valid(self, form):
        try:
            wage_record_add(actor=self.request.user, link=self.link, **form.cleaned_data)
        except ValidationError as error:
            form_add_validation_error(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("已添加务工记录。"))
        return redirect("producers:cooperative-link-detail", pk=self.link.pk)


class BenefitLinkImportView(CooperativeFormView):
    permission_required = ("producers.add_benefitlink",)
    template_name = "producers/cooperative/benefits/link_import.html"
    form_class = ImportForm

    def form_valid(self, form):
        try:
            result = imports.benefit_links_import(
                actor=self.request.user,
                cooperative=self.cooperative,
                file=form.cleaned_data["file"],
            )
        except ValidationError as error:
            form_add_validation_error(form, error, {"__all__": "file"})
            return self.form_invalid(form)
        if result.ok:
            messages.success(
                self.request, _("已导入%(count)d条利益联结。") % {"count": result.created}
            )
        return self.render_to_response(self.get_context_data(form=ImportForm(), result=result))


class BenefitLinkImportTemplateView(CooperativeStaffRequiredMixin, View):
    permission_required = ("producers.add_benefitlink",)

    def get(self, request, *args, **kwargs):
        return csv_download(imports.benefit_link_import_template(), "benefit-links-template.csv")


# --- scheme ----------------------------------------------------------------------------------


class BenefitSchemeListView(CooperativeStaffRequiredMixin, TemplateView):
    permission_required = ("producers.view_benefitscheme",)
    template_name = "producers/cooperative/benefits/scheme_list.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        return super().get_context_data(
            cooperative=self.cooperative,
            schemes=benefit_scheme_versions(cooperative=self.cooperative),
            in_force=benefit_scheme_in_force(cooperative=self.cooperative, on=today),
            today=today,
            **kwargs,
        )


class BenefitSchemeDetailView(CooperativeStaffRequiredMixin, TemplateView):
    permission_required = ("producers.view_benefitscheme",)
    template_name = "producers/cooperative/benefits/scheme_detail.html"

    def get_context_data(self, **kwargs):
        scheme = get_object_or_404(
            BenefitScheme.objects.select_related("created_by"),
            pk=self.kwargs["pk"],
            cooperative=self.cooperative,
        )
        return super().get_context_data(cooperative=self.cooperative, scheme=scheme, **kwargs)


class BenefitSchemeCreateView(CooperativeFormView):
    permission_required = ("producers.add_benefitscheme",)
    template_name = "producers/cooperative/benefits/scheme_form.html"
    form_class = BenefitSchemeForm

    def get_initial(self):
        latest = benefit_scheme_versions(cooperative=self.cooperative).first()
        if latest is None:
            return {}
        return {
            percent: (getattr(latest, share) * 100).quantize(Decimal("0.01"))
            for share, percent in BenefitSchemeForm.SHARE_FIELDS.items()
        }

    def form_valid(self, form):
        try:
            scheme = benefit_scheme_version_add(
                actor=self.request.user, cooperative=self.cooperative, **form.service_fields()
            )
        except ValidationError as error:
            form_add_validation_error(form, error, BenefitSchemeForm.SHARE_FIELDS)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("已添加自%(date)s起生效的新版利益联结方案。") % {"date": scheme.effective_from},
        )
        return redirect("producers:cooperative-schemes")
