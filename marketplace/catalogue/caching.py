"""Storefront caches keyed on a version of the catalogue data.

The version is read from the database in one cheap query (maxima of indexed columns, which
PostgreSQL reads from the end of an index), so every web process sees a change at once
whatever the cache backend: a product saved (date_updated), a stock record edited, a
certificate or cooperative changing state (their services record an event or a decision),
a category or pairing added or removed. Today's date is part of it, as certificates lapse
by date. Changes that leave no such trace (renaming a region or a category) show when the
cached entries expire (STOREFRONT_CACHE_SECONDS)."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connections, router
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import cached_property
from oscar.core.loading import get_model

# How long a versioned entry may live at most; a new version makes new keys at once.
TIMEOUT = getattr(settings, "STOREFRONT_CACHE_SECONDS", 600)


def catalogue_version_columns() -> list[str]:
    """The columns of the catalogue's version, for a SELECT (cms/caching.py adds its own)."""
    from producers.models import CooperativeDecision, Pairing

    product = get_model("catalogue", "Product")._meta.db_table
    stock = get_model("partner", "StockRecord")._meta.db_table
    event = get_model("catalogue", "CertificateEvent")._meta.db_table
    decision = CooperativeDecision._meta.db_table
    category = get_model("catalogue", "Category")._meta.db_table
    pairing = Pairing._meta.db_table
    aggregates = [
        ("MAX(date_updated)", product),
        ("MAX(date_updated)", stock),
        ("MAX(id)", event),
        ("MAX(id)", decision),
        ("MAX(id)", category),
        ("COUNT(*)", category),
        ("MAX(id)", pairing),
        ("COUNT(*)", pairing),
    ]
    # Table names come from the models, never from input.
    return [f"(SELECT {aggregate} FROM {table})" for aggregate, table in aggregates]  # noqa: S608


def catalogue_version_database() -> str:
    """Where the catalogue's pages are read from (a read replica, when the router sends them
    there): its version is read there too, so a page is never kept under a version newer
    than its data."""
    return router.db_for_read(get_model("catalogue", "Product"))


def version_digest(values) -> str:
    raw = "|".join(map(str, (*values, timezone.localdate())))
    return hashlib.blake2b(raw.encode(), digest_size=8).hexdigest()


def catalogue_version() -> str:
    """A short key that changes whenever what the listing pages show may have changed."""
    with connections[catalogue_version_database()].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(catalogue_version_columns()))
        return version_digest(cursor.fetchone())


def versioned_key(name: str, version: str, *parts) -> str:
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=12).hexdigest()
    return f"storefront:{name}:{version}:{digest}"


class VersionedCountPaginator(Paginator):
    """Counting the products for sale under a filter reads every matching row (hundreds of
    milliseconds at 400,000 products); the count is kept per catalogue version and query."""

    def __init__(self, object_list, per_page, *args, version: str = "", **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        self.version = version

    @cached_property
    def count(self) -> int:
        if not self.version or not isinstance(self.object_list, QuerySet):
            return super().count
        try:
            sql, params = self.object_list.query.sql_with_params()
        except Exception:  # an empty filter (EmptyResultSet) and the like: just count
            return super().count
        key = versioned_key("count", self.version, sql, params)
        found = cache.get(key)
        if found is None:
            found = super().count
            cache.set(key, found, TIMEOUT)
        return found
