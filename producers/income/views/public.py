from django.http import Http404
from django.views.generic import TemplateView

from ..models import LineTrace
from ..selectors import order_lines_trace


class TraceView(TemplateView):
    """Public, anonymous: where the money of one order line went. No personal data: the
    buyer, the order and the households' identities are never shown."""

    template_name = "income/trace.html"

    def get_context_data(self, **kwargs):
        trace = (
            LineTrace.objects.select_related("line__product")
            .only(
                "code",
                "line__id",
                "line__title",
                "line__product__title",
                "line__product__slug",
                "line__product__is_public",
            )
            .filter(code=kwargs["code"].upper())
            .first()
        )
        if trace is None:
            raise Http404
        kwargs.update(
            code=trace.code,
            title=trace.line.title,
            product=trace.line.product,
            trace=order_lines_trace(lines=[trace.line_id])[trace.line_id],
        )
        return super().get_context_data(**kwargs)
