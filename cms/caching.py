"""Versions of what CMS pages show, for the anonymous page cache (settings.PAGE_CACHE_VIEWS).

A county page shows the catalogue (its live products and cooperatives), its own content as
edited in Wagtail, and the county's sales and households reached. The version changes with
any of them: the catalogue's version, Wagtail's page and model logs (every publish,
unpublish, move or edit is logged), and the newest payment event and ledger entry."""

import hashlib

from django.db import connection
from oscar.core.loading import get_model
from wagtail.models import ModelLogEntry, PageLogEntry

from marketplace.catalogue.caching import catalogue_version
from producers.income.models import LedgerEntry


def county_page_version() -> str:
    tables = {
        "page_log": PageLogEntry._meta.db_table,
        "model_log": ModelLogEntry._meta.db_table,
        "payment": get_model("order", "PaymentEvent")._meta.db_table,
        "ledger": LedgerEntry._meta.db_table,
    }
    # Table names come from the models, never from input.
    sql = (  # noqa: S608
        "SELECT (SELECT MAX(id) FROM {page_log}), (SELECT MAX(id) FROM {model_log}),"
        " (SELECT MAX(id) FROM {payment}), (SELECT MAX(id) FROM {ledger})"
    ).format(**tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        row = cursor.fetchone()
    raw = "|".join(map(str, (catalogue_version(), *row)))
    return hashlib.blake2b(raw.encode(), digest_size=8).hexdigest()
