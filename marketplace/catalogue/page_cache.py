"""Whole pages of the catalogue for anonymous visitors, from the cache.

Most visitors of the catalogue list, its categories, product pages and search results have
no account, no basket and no session: their pages differ only by language, by the
recently viewed products (a cookie) and by the CSRF token of the forms. Such a page is
rendered once per catalogue version (caching.catalogue_version, one cheap query) and
served from the cache after that, with this visitor's own CSRF token put back in. Anyone
with a session, a basket or a message waiting gets the page rendered for them."""

import re

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import Resolver404, resolve

from .caching import TIMEOUT, catalogue_version, versioned_key

PAGES = {"catalogue:index", "catalogue:category", "catalogue:detail", "search:search"}
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')
PLACEHOLDER = "\x00csrf-token\x00"  # cannot occur in an HTML page


def _history_cookie() -> str:
    return settings.OSCAR_RECENTLY_VIEWED_COOKIE_NAME


def _harmless_cookies() -> set[str]:
    """Cookies that leave the page as it is for everyone (the history is part of the key)."""
    return {settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME, _history_cookie()}


class AnonymousPageCacheMiddleware:
    """Placed after CsrfViewMiddleware and LocaleMiddleware: the language is known, and the
    CSRF cookie of a page served from the cache is set on the way out as for any page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = self._key(request)
        if key is None:
            return self.get_response(request)
        entry = cache.get(key)
        if entry is not None:
            return self._replay(request, entry)
        response = self.get_response(request)
        entry = self._entry(response)
        if entry is not None:
            cache.set(key, entry, TIMEOUT)
        return response

    def _key(self, request) -> str | None:
        if request.method != "GET" or set(request.COOKIES) - _harmless_cookies():
            return None
        try:
            if resolve(request.path_info).view_name not in PAGES:
                return None
        except Resolver404:
            return None
        return versioned_key(
            "page",
            catalogue_version(),
            request.LANGUAGE_CODE,
            request.get_host(),
            request.scheme,
            request.get_full_path(),
            request.COOKIES.get(_history_cookie(), ""),
        )

    def _entry(self, response) -> dict | None:
        """What to keep of a response: only a plain 200 page that set no session, basket or
        message cookie of its own (the view might have started a session)."""
        if response.status_code != 200 or response.streaming:
            return None
        if set(response.cookies) - _harmless_cookies():
            return None
        if "private" in response.get("Cache-Control", "") or "no-store" in response.get(
            "Cache-Control", ""
        ):
            return None
        content = response.content.decode(response.charset)
        for token in set(TOKEN.findall(content)):
            content = content.replace(token, PLACEHOLDER)
        history = _history_cookie()
        cookies = []
        if history in response.cookies:
            morsel = response.cookies[history]
            # Max-Age, not the expiry date of the first visit.
            attributes = {k: v for k, v in morsel.items() if v and k != "expires"}
            cookies.append((history, morsel.value, attributes))
        headers = {
            name: value
            for name, value in response.headers.items()
            if name.lower() not in ("content-length", "set-cookie")
        }
        return {"content": content, "headers": headers, "cookies": cookies}

    def _replay(self, request, entry: dict) -> HttpResponse:
        content = entry["content"]
        if PLACEHOLDER in content:
            # This visitor's own token; get_token also has the CSRF cookie set on the way out.
            content = content.replace(PLACEHOLDER, get_token(request))
        response = HttpResponse(content, headers=entry["headers"])
        for name, value, attributes in entry["cookies"]:
            response.cookies[name] = value
            response.cookies[name].update(attributes)
        return response
