"""Signed-in readers' catalogue pages from one shared shell per page.

A signed-in buyer's catalogue list, category, search result or product page differs from
any other signed-in buyer's only in parts the templates mark as the reader's own:
`<!--reader:NAME-->…<!--/reader:NAME-->` around the header's basket, workspaces and
sign-out ("header"), and around each of the product page's {% per_request %} parts
(product_page.SLOT_TEMPLATES); besides, in the CSRF tokens of its forms and, under a
product, in the products the reader viewed before. The page cache
(page_cache.PageCacheMiddleware) keeps the first signed-in rendering of a page with those
parts cut out (shell_make) and serves later signed-in readers the shell with their own
parts rendered in (shell_fill): a few small templates instead of the whole page.

A page is not kept when anything in it could be one reader's: a message shown, a cookie
other than the session's, the history's or the CSRF cookie set, a part of the reader's
not between marks (the header's mark missing, or the reader's e-mail address in what is
left)."""

import re

from django.template.loader import get_template

from .product_page import SLOT, SLOT_TEMPLATES, reader_part, slots_fill

READER = re.compile(r"<!--reader:([a-z-]+)-->.*?<!--/reader:\1-->", re.DOTALL)
HEADER = "header"
HEADER_SLOT = "\x00reader:header\x00"
HEADER_TEMPLATE = "includes/site_header_reader.html"


def shell_make(content: str, *, email: str) -> str | None:
    """The page without the reader's parts (each left as a slot), or None when it cannot be
    shared."""

    def slot(match) -> str:
        name = match.group(1)
        if name == HEADER:
            return HEADER_SLOT
        if name in SLOT_TEMPLATES:
            return SLOT.format(name)
        raise ValueError(f"unknown reader part {name!r}")

    try:
        shell = READER.sub(slot, content)
    except ValueError:
        return None
    if shell.count(HEADER_SLOT) != 1 or "<!--reader:" in shell:
        return None
    if email and email.lower() in shell.lower():
        return None
    return shell


def shell_fill(
    shell: str, *, request, token: str, version: str, product_id=None, product_slug=""
) -> str:
    """The shell with this reader's parts: the header (basket summary, workspaces, the
    sign-out form) and, under a product, the product page's per-request parts. Rendered from
    a plain context, without the context processors: each part loads only its own data."""
    header = get_template(HEADER_TEMPLATE).render(
        {
            "request": request,
            "user": request.user,
            "csrf_token": token,
            "catalogue_version": version,
        }
    )
    content = shell.replace(HEADER_SLOT, reader_part(HEADER, header))
    if product_id is not None:
        content = slots_fill(
            content, request=request, product_id=product_id, product_slug=product_slug
        )
    return content
