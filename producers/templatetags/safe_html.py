"""Rich text that users other than platform staff can write (product descriptions from
cooperatives' dashboards), cleaned before it is rendered as HTML."""

from django import template
from django.utils.safestring import mark_safe
from wagtail.whitelist import Whitelister

register = template.Library()


@register.filter
def html_clean(value) -> str:
    """Keeps paragraphs, headings, lists, emphasis, links and images; drops scripts, frames,
    event-handler and style attributes and javascript: links (Wagtail's rich-text whitelist)."""
    return mark_safe(Whitelister().clean(str(value or "")))  # noqa: S308  cleaned just above
