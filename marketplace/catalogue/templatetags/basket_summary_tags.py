"""{% header_basket as summary %}: the header's number of items and total of the reader's
basket (marketplace.catalogue.basket_summary)."""

from django import template

from marketplace.catalogue.basket_summary import basket_summary

register = template.Library()


@register.simple_tag(takes_context=True)
def header_basket(context):
    request = context.get("request")
    if request is None or not hasattr(request, "basket"):  # a page outside the store's middleware
        return None
    # The catalogue's pages have read the version already.
    return basket_summary(request=request, version=context.get("catalogue_version") or "")
