"""Whole pages of the catalogue from the cache: for anonymous visitors, and as a shared shell
for signed-in readers (reader_pages.py).

Most visitors of the catalogue list, its categories, product pages and search results have
no account, no basket and no session: their pages differ only by language, by the CSRF
token of the forms and, under a product, by the products they viewed before. Such a page
is rendered once per catalogue version (caching.catalogue_version, one cheap query) and
served from the cache after that: with this visitor's own CSRF token put in, and their
recently viewed products rendered into it. Anyone with a session, a basket or a message
waiting gets the page rendered for them.

The views, and the function giving each one's data version, are settings.PAGE_CACHE_VIEWS;
Wagtail's pages (one view for all) only of the types in settings.PAGE_CACHE_PAGE_TYPES,
learnt per path from the first rendering.

Oscar's analytics count a product view when the view runs: anonymous views served from here
are not counted in its ProductRecord.num_views. A signed-in reader's view and search are
announced as the views announce them (the analytics task, the history cookie).

Signed-in readers of the catalogue list, a category, a search or a product page (a session
cookie, no message waiting) get the page's shell, kept from the first signed-in rendering
of it under the same catalogue version, with their own parts rendered in: their header,
the product page's per-request parts, their recently viewed products and CSRF token."""

import json
import re

from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils.module_loading import import_string
from oscar.apps.catalogue.signals import product_viewed
from oscar.apps.search.signals import user_search

from .caching import TIMEOUT, versioned_key
from .history import CustomerHistoryManager, history_with, recently_viewed_ids
from .product_page import ProductById, product_cards, product_page_facts_cached
from .reader_pages import shell_fill, shell_make
from .selectors import products_in_order

# Stock taken by orders changes no version (Oscar's allocation leaves date_updated alone):
# a page may show a product as in stock for this long after it sold out, as product grids
# do. Adding it to the basket then says it is sold out.
PAGE_SECONDS = getattr(settings, "PAGE_CACHE_SECONDS", 60)
PRODUCT_PAGE = "catalogue:detail"
CMS_PAGE = "wagtail_serve"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')
VIEWED = re.compile(r"<!--recently-viewed-->.*?<!--/recently-viewed-->", re.DOTALL)
# Cannot occur in an HTML page: NUL is not allowed in its text.
TOKEN_SLOT, VIEWED_SLOT = "\x00csrf-token\x00", "\x00recently-viewed\x00"
VIEWED_TEMPLATE = "oscar/catalogue/partials/recently_viewed.html"
# The pages signed-in readers get from a shared shell (not the CMS's).
READER_VIEWS = {"catalogue:index", "catalogue:category", PRODUCT_PAGE, "search:search"}
SEARCH_PAGE = "search:search"


def _harmless_cookies() -> set[str]:
    """Cookies that leave the cached page right for everyone."""
    return {
        settings.CSRF_COOKIE_NAME,
        settings.LANGUAGE_COOKIE_NAME,
        CustomerHistoryManager.cookie_name,
    }


def _viewed_part(html: str) -> str:
    return f"<!--recently-viewed-->{html}<!--/recently-viewed-->"


class PageCacheMiddleware:
    """Last of the middleware: the language, user, basket and strategy are on the request
    (all lazy, so a hit costs no query for them) and the outer middleware add their headers
    and the CSRF cookie to a page served from here as to any other."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.versions = {
            view: import_string(path) for view, path in settings.PAGE_CACHE_VIEWS.items()
        }
        self.page_types = set(settings.PAGE_CACHE_PAGE_TYPES)

    def __call__(self, request):
        match = self._cacheable(request)
        if match is None:
            match = self._reader_cacheable(request)
            if match is not None:
                return self._reader_page(request, match)
            return self.get_response(request)
        if match.view_name == CMS_PAGE:
            page_type_key = versioned_key("page-type", "", request.get_host(), request.path_info)
            known = cache.get(page_type_key)
            if known is None:  # first visit: learn what page it is
                response = self.get_response(request)
                cache.set(page_type_key, self._page_type_cached(response), TIMEOUT)
                return response
            if not known:
                return self.get_response(request)
        key = self._key(request, match)
        entry = cache.get(key)
        if entry is not None:
            return self._replay(request, entry, match)
        response = self.get_response(request)
        entry = self._entry(response) if self._page_type_cached(response, match) else None
        if entry is not None:
            cache.set(key, entry, PAGE_SECONDS)
        return response

    def _cacheable(self, request):
        if request.method != "GET" or set(request.COOKIES) - _harmless_cookies():
            return None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        return match if match.view_name in self.versions else None

    def _key(self, request, match, *, kind: str = "page", version: str | None = None) -> str:
        return versioned_key(
            kind,
            self.versions[match.view_name]() if version is None else version,
            request.LANGUAGE_CODE,
            request.get_host(),
            request.scheme,
            request.get_full_path(),
        )

    def _page_type_cached(self, response, match=None) -> bool:
        """Whether a CMS page is of a type kept in the cache (other views: always)."""
        if match is not None and match.view_name != CMS_PAGE:
            return True
        page = (getattr(response, "context_data", None) or {}).get("page")
        return getattr(getattr(page, "_meta", None), "label_lower", None) in self.page_types

    def _entry(self, response, *, private: bool = False) -> dict | None:
        """What to keep of a response: only a plain 200 page that set no session, basket or
        message cookie (the view might have started a session); a private one only for
        signed-in readers' shells."""
        if response.status_code != 200 or response.streaming:
            return None
        if set(response.cookies) - _harmless_cookies():
            return None
        cache_control = response.get("Cache-Control", "")
        if "no-store" in cache_control or ("private" in cache_control and not private):
            return None
        content = VIEWED.sub(VIEWED_SLOT, response.content.decode(response.charset), count=1)
        for token in set(TOKEN.findall(content)):
            content = content.replace(token, TOKEN_SLOT)
        headers = {
            name: value
            for name, value in response.headers.items()
            if name.lower() not in ("content-length", "set-cookie")
        }
        return {"content": content, "headers": headers}

    def _replay(self, request, entry: dict, match) -> HttpResponse:
        content = entry["content"]
        product_id = int(match.kwargs["pk"]) if match.view_name == PRODUCT_PAGE else None
        if VIEWED_SLOT in content:
            content = content.replace(
                VIEWED_SLOT, _viewed_part(self._recently_viewed(request, product_id))
            )
        if TOKEN_SLOT in content:
            # This visitor's own token; get_token also has the CSRF cookie set on the way out.
            content = content.replace(TOKEN_SLOT, get_token(request))
        response = HttpResponse(content, headers=entry["headers"])
        if product_id is not None:  # the product joins the history, as the view does
            response.set_cookie(
                CustomerHistoryManager.cookie_name,
                json.dumps(history_with(request, product_id=product_id)),
                **CustomerHistoryManager.cookie_kwargs,
            )
        return response

    def _recently_viewed(self, request, product_id) -> str:
        viewed = recently_viewed_ids(request, product_id=product_id) if product_id else []
        if not viewed:
            return ""
        products = products_in_order(ids=viewed)
        return render_to_string(VIEWED_TEMPLATE, {"recently_viewed": products}, request=request)

    # Signed-in readers: the shared shell (reader_pages.py).

    def _reader_cacheable(self, request):
        session = settings.SESSION_COOKIE_NAME
        cookies = set(request.COOKIES)
        if request.method != "GET" or session not in cookies:
            return None
        # Oscar's analytics script would carry the first reader's id into the shell.
        if getattr(settings, "OSCAR_GOOGLE_ANALYTICS_ID", None) or getattr(
            settings, "GOOGLE_ANALYTICS_ID", None
        ):
            return None
        # Messages are looked at below, whatever storage holds them.
        if cookies - _harmless_cookies() - {session, CookieStorage.cookie_name}:
            return None
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return None
        if match.view_name not in READER_VIEWS or not request.user.is_authenticated:
            return None
        if len(messages.get_messages(request)):  # shown on this page: render it
            return None
        return match

    def _reader_page(self, request, match):
        version = self.versions[match.view_name]()
        key = self._key(request, match, kind="reader-page", version=version)
        facts = None
        if match.view_name == PRODUCT_PAGE:
            facts = product_page_facts_cached(version=version, product_id=int(match.kwargs["pk"]))
        shell = cache.get(key) if version else None
        # A product page only with its facts (kept apart, they may have been evicted) and
        # only if everyone may see it.
        if shell is not None and (
            match.view_name != PRODUCT_PAGE or (facts or {}).get("for_everyone")
        ):
            return self._reader_replay(request, shell, match, version=version, facts=facts)
        response = self.get_response(request)
        shell = self._reader_shell(request, response)
        if shell is not None and version:
            cache.set(key, shell, PAGE_SECONDS)
        return response

    def _reader_shell(self, request, response) -> dict | None:
        # Only views that say their page may go to every signed-in reader (page_shared).
        if not getattr(response, "page_shared", False) or len(messages.get_messages(request)):
            return None
        entry = self._entry(response, private=True)  # no cookie but harmless ones set
        if entry is None:
            return None
        shell = shell_make(entry["content"], email=request.user.email or "")
        return None if shell is None else {**entry, "content": shell}

    def _reader_replay(self, request, shell: dict, match, *, version: str, facts) -> HttpResponse:
        token = get_token(request)
        product_id = int(match.kwargs["pk"]) if facts is not None else None
        content = shell_fill(
            shell["content"],
            request=request,
            token=token,
            version=version,
            product_id=product_id,
            product_slug=facts["slug"] if facts is not None else "",
        )
        if VIEWED_SLOT in content:
            viewed = recently_viewed_ids(request, product_id=product_id) if product_id else []
            cards = product_cards(request=request, ids=viewed, version=version)
            html = render_to_string(VIEWED_TEMPLATE, {"recently_viewed_cards": cards})
            content = content.replace(VIEWED_SLOT, _viewed_part(html))
        content = content.replace(TOKEN_SLOT, token)
        response = HttpResponse(content, headers=shell["headers"])
        if product_id is not None:  # announced as the view announces it
            product = ProductById(lambda: products_in_order(ids=[product_id])[0], pk=product_id)
            product_viewed.send(
                sender=self, product=product, user=request.user, request=request, response=response
            )
        elif match.view_name == SEARCH_PAGE:
            user_search.send(
                sender=self,
                session=request.session,
                user=request.user,
                query=request.GET.get("q", ""),
            )
        return response
