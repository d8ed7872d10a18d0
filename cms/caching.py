"""Versions of what CMS pages show, for the anonymous page cache (settings.PAGE_CACHE_VIEWS).

A county page shows the catalogue (its live products and cooperatives), its own content as
edited in Wagtail, and the county's sales and households reached. The version changes with
any of them: the catalogue's version, Wagtail's page and model logs (every publish,
unpublish, move or edit is logged), and the newest payment event and ledger entry. Each is
read from the database its part of the page is read from (with a read replica, Wagtail's
logs from the replica, payments and the ledger from the primary: config/db_router.py)."""

from django.db import connections, router
from oscar.core.loading import get_model
from wagtail.models import ModelLogEntry, PageLogEntry

from marketplace.catalogue.caching import (
    catalogue_version_columns,
    catalogue_version_database,
    version_digest,
)
from producers.income.models import LedgerEntry


def county_page_version() -> str:
    """One statement per database: the catalogue's version and the newest ids of each
    model, each read where its part of the page is read from."""
    catalogue = catalogue_version_database()
    columns = [(catalogue, column) for column in catalogue_version_columns()]
    for model in (PageLogEntry, ModelLogEntry, get_model("order", "PaymentEvent"), LedgerEntry):
        # Table names come from the models, never from input.
        newest = f"(SELECT MAX(id) FROM {model._meta.db_table})"  # noqa: S608
        columns.append((router.db_for_read(model), newest))
    values = {}
    for database in dict.fromkeys(database for database, _ in columns):
        here = [column for where, column in columns if where == database]
        with connections[database].cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(here))
            values.update(zip(here, cursor.fetchone(), strict=True))
    # In the columns' order, whichever database each was read from.
    return version_digest([values[column] for _, column in columns])
