from django.http import Http404
from django.views.generic import TemplateView
from oscar.core.loading import get_model

from producers.access import CooperativeStaffRequiredMixin

from ..services.traces import line_traces_ensure


class PackingSlipView(CooperativeStaffRequiredMixin, TemplateView):
    """A printable packing slip of the cooperative's own lines of an order, each with its
    trace code and QR code. Another cooperative's order (or one without our lines): 404."""

    template_name = "income/cooperative/packing_slip.html"

    def get_context_data(self, **kwargs):
        Line = get_model("order", "Line")
        lines = list(
            Line.objects.filter(order__number=kwargs["number"], cooperative=self.cooperative)
            .select_related("order", "order__shipping_address")
            .order_by("pk")
        )
        if not lines:
            raise Http404
        codes = line_traces_ensure(line_ids=[line.pk for line in lines])
        return super().get_context_data(
            cooperative=self.cooperative,
            order=lines[0].order,
            rows=[(line, codes[line.pk]) for line in lines],
            **kwargs,
        )
