"""Is this stack able to take and settle orders? Each check answers None when its part is
well, or a short reason (no hostnames, no secrets: the answer is public to the load balancer).
The middleware (config/ops/middleware.py) answers HEALTH_URL with them; `manage.py
health_check` prints them."""

import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connections

from config.celery import app
from config.db_router import REPLICA, replica_configured

from .heartbeat import heartbeat_age


def _database() -> str | None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
    return None


def _replica() -> str | None:
    # Checked only when configured (DATABASE_REPLICA_URL): the storefront's pages read it.
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT 1")
    return None


def _cache() -> str | None:
    key, value = f"ops:health:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=30)
    seen = cache.get(key)
    cache.delete(key)
    return None if seen == value else "a value written was not read back"


def _broker() -> str | None:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return None  # the demo: tasks run in the web process, no broker to reach
    # The settings' URL, as every process of the stack reads it (Celery would let a
    # CELERY_BROKER_URL in the environment win over its own configuration).
    with app.connection_for_write(settings.CELERY_BROKER_URL) as connection:
        connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=3)
    return None


def _storage() -> str | None:
    # Both stores must take a file: product images (default) and evidence/receipts (private).
    for alias in ("default", "private"):
        storage = storages[alias]
        name = storage.save(f"health/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
        try:
            with storage.open(name) as handle:
                if handle.read() != b"ok":
                    return f"{alias}: a file written was not read back"
        finally:
            storage.delete(name)
    return None


def _seen(part: str) -> Callable[[], str | None]:
    def check() -> str | None:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            return None  # no beat or worker in the demo
        age = heartbeat_age(part=part)
        limit = settings.HEALTH_HEARTBEAT_MAX_AGE
        if age is None:
            return "never seen"
        return None if age <= limit else f"last seen {int(age)} s ago (limit {limit} s)"

    return check


CHECKS: dict[str, Callable[[], str | None]] = {
    "database": _database,
    "cache": _cache,
    "broker": _broker,
    "storage": _storage,
    "beat": _seen("beat"),
    "worker": _seen("worker"),
}


def health_report() -> dict[str, str]:
    """Each part's state: "ok" or why not. A check that raises is that part failing."""
    report = {}
    checks = {**CHECKS, "replica": _replica} if replica_configured() else CHECKS
    for part, check in checks.items():
        try:
            problem = check()
        except Exception as error:  # noqa: BLE001  any failure of a part is that part unwell
            problem = f"{type(error).__name__}"
        report[part] = "ok" if problem is None else problem
    return report


def health_failing(report: dict[str, str]) -> list[str]:
    return [part for part, state in report.items() if state != "ok"]
