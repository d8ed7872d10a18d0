from django.http import Http404, HttpResponse
from django.views.generic import TemplateView

from marketplace.organisations.forms import PeriodForm
from marketplace.organisations.views import OrganisationMixin

from .. import purchase_statement_documents as documents
from ..purchase_statements import purchase_statement


class PurchaseStatementView(OrganisationMixin, TemplateView):
    """An organisation's purchase statement for a period, as a page, PDF or XLSX."""

    template_name = "income/organisation/purchase_statement.html"
    formats = {
        "pdf": ("application/pdf", documents.statement_pdf),
        "xlsx": (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            documents.statement_xlsx,
        ),
    }

    def get(self, request, *args, **kwargs):
        self.form, start, end = PeriodForm.for_request(request.GET)
        self.statement = purchase_statement(organisation=self.organisation, start=start, end=end)
        export = kwargs.get("format")
        if export is not None and export not in self.formats:
            raise Http404
        if export and self.form.is_bound and not self.form.is_valid():
            # A download of a period that is not valid: the page with the form's reasons,
            # never a document of another period.
            return self.render_to_response(self.get_context_data(), status=400)
        if export:
            content_type, render = self.formats[export]
            response = HttpResponse(render(statement=self.statement), content_type=content_type)
            filename = f"statement-{self.organisation.pk}-{start:%Y%m%d}-{end:%Y%m%d}.{export}"
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(form=self.form, statement=self.statement, query=self.request.GET.urlencode())
        return context
