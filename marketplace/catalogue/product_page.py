"""The product page for people with a session (signed-in buyers above all): a shared body
from the cache, the few parts that belong to the reader rendered for each request.

The page cache (page_cache.py) serves whole pages to visitors without a session only. For
everyone else the product page's template keeps what every reader sees (title, gallery,
price and stock, origin, cooperative and households, description, attributes, reviews,
recommended products) in {% storefront_cache %} fragments under the catalogue version, so
a page from the cache never loads the product. What differs by reader is marked in those
fragments with {% per_request "name" %} and rendered after them, from the product's id:

- "staff-edit": the staff's link to edit the product (no query);
- "stock-alert": only where the product cannot be bought, the reader's stock alert (one
  query for a signed-in reader);
- "wishlist": the reader's wish lists and whether the product is in one (one query);
- "review-invite": only under a product without reviews, whether the reader may write
  one (one query for a signed-in reader);
- "review-write": beside the stars of a product with reviews, the same question.

The header's basket summary and workspace links are rendered for each request too
(basket_summary.py, workspace_tags). Recently viewed products are product cards, cached one
by one under the catalogue version: the products missing from the cache are loaded in one
batch (selectors.products_in_order), so the page runs the same queries however many there
are."""

from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template.loader import get_template, select_template
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from oscar.core.loading import get_class

from .caching import TIMEOUT, versioned_key
from .selectors import (
    products_in_order,
    review_permitted,
    stock_alert_active,
    wishlists_with_product,
)

ProductAlertForm = get_class("customer.forms", "ProductAlertForm")

# Fragments holding price and stock live as long as the listing's grid: stock taken by
# orders does not change the catalogue version.
FRAGMENT_SECONDS = 60
CSRF_MARKER = "\x00csrf\x00"  # the same marker as {% storefront_cache %}
SLOT = "\x00per-request:{}\x00"
SLOT_TEMPLATES = {
    "staff-edit": "oscar/catalogue/partials/per_request/staff_edit.html",
    "stock-alert": "oscar/catalogue/partials/per_request/stock_alert.html",
    "wishlist": "oscar/catalogue/partials/per_request/wishlist.html",
    "review-invite": "oscar/catalogue/partials/per_request/review_invite.html",
    "review-write": "oscar/catalogue/partials/per_request/review_write.html",
}


def reader_part(name: str, html: str) -> str:
    """A reader's own part between the marks the page cache cuts a signed-in reader's parts
    out along (reader_pages.shell_make)."""
    return mark_safe(f"<!--reader:{name}-->{html}<!--/reader:{name}-->")  # noqa: S308  rendered HTML


def slot_marker(name: str) -> str:
    if name not in SLOT_TEMPLATES:
        raise ValueError(f"unknown per-request part {name!r}")
    return SLOT.format(name)


def _slot_context(name: str, *, request, product_id: int, product_slug: str, known: dict) -> dict:
    user = request.user
    context = {"user": user, "product_id": product_id, "product_slug": product_slug}
    if name == "stock-alert":
        context["has_active_alert"] = stock_alert_active(user=user, product_id=product_id)
        context["alert_form"] = ProductAlertForm(user=user, product=None)
    elif name == "wishlist":
        context["wishlists"] = wishlists_with_product(user=user, product_id=product_id)
        context["product_wishlists"] = [w for w in context["wishlists"] if w.has_product]
    elif name in ("review-invite", "review-write"):  # one question for both parts
        if "review_permitted" not in known:
            known["review_permitted"] = review_permitted(user=user, product_id=product_id)
        context["review_permitted"] = known["review_permitted"]
    return context


def slots_fill(content: str, *, request, product_id: int, product_slug: str) -> str:
    """The page with each {% per_request %} mark replaced by the reader's part. Rendered
    without the context processors (a plain dict): each part loads only its own data."""
    if "\x00per-request:" not in content:
        return content
    token = get_token(request)
    known: dict = {}
    for name, template_name in SLOT_TEMPLATES.items():
        marker = SLOT.format(name)
        if marker in content:
            context = _slot_context(
                name,
                request=request,
                product_id=product_id,
                product_slug=product_slug,
                known=known,
            )
            context["csrf_token"] = token
            html = get_template(template_name).render(context)
            content = content.replace(marker, reader_part(name, html))
    return content


class ProductById(SimpleLazyObject):
    """The product, loaded on first use of anything but its id: the receivers of Oscar's
    product_viewed (the history cookie, the analytics task) need only product.id."""

    def __init__(self, load, *, pk: int):
        super().__init__(load)
        self.__dict__["_product_id"] = pk

    @property
    def pk(self) -> int:
        return self.__dict__["_product_id"]

    id = pk


# The facts the view needs before rendering, kept per catalogue version: where the page is,
# whether anyone may see it, and which template shows it.


def product_page_facts(*, product) -> dict:
    return {
        "path": product.get_absolute_url(),
        "slug": product.slug,
        "upc": product.upc,
        "class_slug": product.get_product_class().slug,
    }


def _facts_key(*, version: str, product_id: int) -> str:
    # The path is in the active language (/en/shop/… in English).
    return versioned_key("product-facts", version, get_language(), product_id)


def product_page_facts_cached(*, version: str, product_id: int) -> dict | None:
    return cache.get(_facts_key(version=version, product_id=product_id))


def product_page_facts_keep(*, version: str, product_id: int, facts: dict) -> None:
    cache.set(_facts_key(version=version, product_id=product_id), facts, TIMEOUT)


# Product cards (the listing's {% render_product %}), one cache entry per product.


def _card_render(product, *, request, token: str) -> str:
    template = select_template(
        [
            f"oscar/catalogue/partials/product/upc-{product.upc}.html",
            f"oscar/catalogue/partials/product/class-{product.get_product_class().slug}.html",
            "oscar/catalogue/partials/product.html",
        ]
    )
    html = template.render({"product": product, "request": request, "csrf_token": token})
    return html.replace(token, CSRF_MARKER) if token else html


def product_cards(*, request, ids: list[int], version: str) -> list[str]:
    """The cards of the products for sale among `ids`, in that order, as the listing shows
    them (with this reader's CSRF token in their add-to-basket forms). Cards missing from
    the cache cost one batch of queries together; a product not for sale has no card."""
    if not ids:
        return []
    language = get_language()
    keys = {pk: versioned_key("card", version, language, pk) for pk in ids}
    found = cache.get_many(list(keys.values())) if version else {}
    missing = [pk for pk in ids if keys[pk] not in found]
    token = get_token(request)
    if missing:
        products = {product.pk: product for product in products_in_order(ids=missing)}
        rendered = {
            keys[pk]: _card_render(products[pk], request=request, token=token)
            if pk in products
            else ""
            for pk in missing
        }
        if version:
            cache.set_many(rendered, FRAGMENT_SECONDS)
        found.update(rendered)
    # The cards were rendered (and escaped) by the product card template.
    return [
        mark_safe(found[keys[pk]].replace(CSRF_MARKER, token))  # noqa: S308
        for pk in ids
        if found[keys[pk]]
    ]
