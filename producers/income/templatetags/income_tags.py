from django import template

from ..qr import qr_svg
from ..selectors import order_lines_trace

register = template.Library()


@register.filter
def trace_of(line_traces: dict, line):
    """{% include "income/partials/order_line_trace.html" with trace=line_traces|trace_of:line %}"""
    return (line_traces or {}).get(getattr(line, "pk", line))


@register.simple_tag
def line_traces(lines):
    """{% line_traces lines as traces %}: where each line's money went and how much of it
    the cooperative has paid the households, in three queries for the whole order (the
    store's order page shows it without importing this app)."""
    return order_lines_trace(lines=lines)


@register.simple_tag(takes_context=True)
def trace_qr(context, code: str):
    """Inline SVG QR code of the public trace page of a trace code."""
    from django.urls import reverse

    url = context["request"].build_absolute_uri(reverse("income:trace", args=[code]))
    return qr_svg(url)
