"""Versions of what CMS pages show, for the anonymous page cache (settings.PAGE_CACHE_VIEWS).

A county page shows the catalogue (its live products and cooperatives), its own content as
edited in Wagtail, and the county's sales and households reached. The version changes with
any of them: the catalogue's version, Wagtail's page and model logs (every publish,
unpublish, move or edit is logged), and the newest payment event and ledger entry. Each is
read from the database its part of the page is read from (with a read replica, Wagtail's
logs from the replica, payments and the ledger from the primary: config/db_router.py)."""

import hashlib

from django.db import connections, router
from oscar.core.loading import get_model
from wagtail.models import ModelLogEntry, PageLogEntry

from marketplace.catalogue.caching import catalogue_version
from producers.income.models import LedgerEntry


def _newest_ids(models: list) -> list:
    """The largest id of each model's table, one query per database they are read from."""
    by_database: dict[str, list] = {}
    for model in models:
        by_database.setdefault(router.db_for_read(model), []).append(model)
    newest = {}
    for database, group in by_database.items():
        # Table names come from the models, never from input.
        maxima = [f"(SELECT MAX(id) FROM {model._meta.db_table})" for model in group]  # noqa: S608
        sql = "SELECT " + ", ".join(maxima)
        with connections[database].cursor() as cursor:
            cursor.execute(sql)
            newest.update(zip(group, cursor.fetchone(), strict=True))
    return [newest[model] for model in models]


def county_page_version() -> str:
    row = _newest_ids(
        [PageLogEntry, ModelLogEntry, get_model("order", "PaymentEvent"), LedgerEntry]
    )
    raw = "|".join(map(str, (catalogue_version(), *row)))
    return hashlib.blake2b(raw.encode(), digest_size=8).hexdigest()
