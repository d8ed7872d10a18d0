"""{% storefront_cache timeout "name" version vary… %}…{% endstorefront_cache %}

Django's {% cache %} with two differences the storefront needs: the key includes the
active language, and the request's CSRF token is kept out of the cached HTML (product
cards hold add-to-basket forms), put back into it on every hit.

{% per_request "name" %} marks, inside such a fragment, a part the product page renders for
each reader (marketplace.catalogue.product_page)."""

from django import template
from django.core.cache import cache
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from marketplace.catalogue.caching import versioned_key
from marketplace.catalogue.product_page import slot_marker

register = template.Library()

CSRF_MARKER = "\x00csrf\x00"


class StorefrontCacheNode(template.Node):
    def __init__(self, nodelist, timeout, name, version, vary_on):
        self.nodelist = nodelist
        self.timeout = timeout
        self.name = name
        self.version = version
        self.vary_on = vary_on

    def render(self, context):
        version = self.version.resolve(context)
        if not version:
            return self.nodelist.render(context)
        parts = [get_language(), *(value.resolve(context) for value in self.vary_on)]
        key = versioned_key(self.name.resolve(context), version, *parts)
        token = str(context.get("csrf_token") or "")
        token = "" if token == "NOTPROVIDED" else token  # noqa: S105  Django's no-request value
        html = cache.get(key)
        if html is None:
            html = self.nodelist.render(context)
            kept = html.replace(token, CSRF_MARKER) if token else html
            cache.set(key, kept, self.timeout.resolve(context))
            return html
        # The HTML was rendered (and escaped) by the template itself.
        return mark_safe(html.replace(CSRF_MARKER, token) if token else html)  # noqa: S308


@register.tag
def storefront_cache(parser, token):
    bits = token.split_contents()
    if len(bits) < 4:
        raise template.TemplateSyntaxError(
            "usage: {% storefront_cache timeout name version [vary_on …] %}"
        )
    nodelist = parser.parse(("endstorefront_cache",))
    parser.delete_first_token()
    timeout, name, version, *vary_on = (parser.compile_filter(bit) for bit in bits[1:])
    return StorefrontCacheNode(nodelist, timeout, name, version, vary_on)


@register.simple_tag
def per_request(name: str) -> str:
    """{% per_request "wishlist" %}: a mark, inside a cached fragment, where the product page
    puts the reader's own part after rendering (marketplace.catalogue.product_page)."""
    return mark_safe(slot_marker(name))  # noqa: S308  a fixed marker, no input
