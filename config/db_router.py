"""Reads from a streaming replica of PostgreSQL (docs/scaling.md, "Read replicas").

With DATABASE_REPLICA_URL set, the settings add a `replica` database, ReplicaRouter and
ReplicaMiddleware; without it there is one database and neither is installed. The rule:

- Only web requests read from the replica, and only safe ones (GET, HEAD, OPTIONS). Celery
  tasks, management commands and shells read the primary: they decide on what they read
  (settlement, allocation, monitoring, locking), and a replica may lag.
- Of a request's reads, only those of REPLICA_APPS' models: what the storefront, the CMS's
  public pages and the evaluators' screens show. Baskets, orders, payments, stock records
  (stock decisions), the income ledger, users, sessions and everything else are read from
  the primary.
- Never inside a transaction (an atomic block; select_for_update and get_or_create are
  routed as writes): those read the primary.
- Every write goes to the primary. A request that writes a model of REPLICA_APPS reads the
  primary from then on, and when it was a form posted (an unsafe method) its response sets
  a cookie that keeps the visitor's requests on the primary for DATABASE_REPLICA_PIN_SECONDS,
  so the page they are sent to next shows their own change.

Reads are routed per query by the model queried (joins follow it). The page cache's
versions are read through the same rule (marketplace/catalogue/caching.py, cms/caching.py),
so a page and the version it is kept under come from the same database.
"""

from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
ROUTER = "config.db_router.ReplicaRouter"
MIDDLEWARE = "config.db_router.ReplicaMiddleware"
PIN_COOKIE = "dongxi_primary"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# App labels whose models' reads may come from the replica.
REPLICA_APPS = frozenset(
    {
        "catalogue",  # products, categories, classes, attributes, images, certificates
        "reviews",  # product reviews
        "producers",  # regions, cooperatives, pairings, benefit schemes
        "evaluation",  # purchase facts, scorecards, years, agreements, locked figures
        "cms",  # the CMS's page types and snippets
        "wagtailcore",  # pages, sites, locales, revisions, page and model logs
        "wagtailimages",
        "wagtaildocs",
        "wagtailsearch",
        "taggit",
    }
)


@dataclass
class _Request:
    replica: bool  # this request may read REPLICA_APPS from the replica
    wrote: bool = False  # it wrote a model of REPLICA_APPS: the primary from now on


_request: ContextVar[_Request | None] = ContextVar("dongxi_db_request", default=None)


def replica_configured() -> bool:
    return REPLICA in connections.settings


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not replica_configured():
            return None
        request = _request.get()
        if (
            request is None
            or not request.replica
            or request.wrote
            or model._meta.app_label not in REPLICA_APPS
            or connections[DEFAULT_DB_ALIAS].in_atomic_block
        ):
            # Named, not None: Django would otherwise follow a related instance's database.
            return DEFAULT_DB_ALIAS
        return REPLICA

    def db_for_write(self, model, **hints):
        if not replica_configured():
            return None
        request = _request.get()
        if request is not None and model._meta.app_label in REPLICA_APPS:
            request.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Both databases hold the same rows: a product read from the replica may go on a
        # basket line written to the primary.
        if replica_configured() and {obj1._state.db, obj2._state.db} <= {
            DEFAULT_DB_ALIAS,
            REPLICA,
        }:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # A replica replays the primary's migrations; it is never migrated itself.
        return False if db == REPLICA else None


class ReplicaMiddleware:
    """Opens the request's routing state (outside it, everything reads the primary) and sets
    the pin cookie after a posted form wrote what the replica serves."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not replica_configured():
            return self.get_response(request)
        safe = request.method in SAFE_METHODS
        state = _Request(replica=safe and PIN_COOKIE not in request.COOKIES)
        token = _request.set(state)
        try:
            response = self.get_response(request)
        finally:
            _request.reset(token)
        if state.wrote and not safe:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.DATABASE_REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response
