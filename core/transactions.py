"""Retrying a transaction the database aborted to keep itself consistent.

PostgreSQL breaks a deadlock by aborting one of the transactions in it (SQLSTATE 40P01) and,
under REPEATABLE READ or SERIALIZABLE, aborts a transaction whose update would lose another's
(40001). Both are safe to run again from the start: the aborted transaction left nothing
behind. Services that lock rows (select_for_update) are wrapped at their outermost entry
point, so the whole transaction is what runs again."""

import functools
import logging
import random
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import (
    DEFAULT_DB_ALIAS,
    IntegrityError,
    OperationalError,
    connections,
)

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

# SQLSTATE codes of serialization_failure and deadlock_detected; compared by code so that
# this module needs no PostgreSQL driver where another database is used.
RETRYABLE_SQLSTATES = frozenset({"40001", "40P01"})
ATTEMPTS = 3
SQLITE_CHECK_FAILED = "CHECK constraint failed: "
BASE_DELAY_SECONDS = 0.05


def is_serialization_failure(exc: BaseException) -> bool:
    """Whether `exc` is Django's OperationalError for an aborted-to-stay-consistent
    transaction (psycopg's SerializationFailure or DeadlockDetected underneath)."""
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) in RETRYABLE_SQLSTATES


def violated_constraint(exc: IntegrityError) -> str | None:
    """The name of the constraint an IntegrityError broke, where the database names it:
    PostgreSQL in its diagnostics (not for NOT NULL), SQLite for a CHECK constraint only
    (a UNIQUE one it reports by its columns). None when unknown: the caller must then find
    out another way, never assume."""
    name = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
    if name:
        return name
    message = str(exc.__cause__ or exc)
    if message.startswith(SQLITE_CHECK_FAILED):
        return message.removeprefix(SQLITE_CHECK_FAILED).strip() or None
    return None


def retry_on_serialization_failure(
    func: Callable[P, R] | None = None,
    *,
    attempts: int = ATTEMPTS,
    base_delay: float = BASE_DELAY_SECONDS,
    using: str = DEFAULT_DB_ALIAS,
):
    """Run `func` again, up to `attempts` times in all, when the database aborts its
    transaction for a deadlock or a serialization failure, after a short jittered pause.

    Only the outermost transaction can be run again: called inside an atomic block (a
    caller's transaction, or a test's), `func` runs once and the error goes to the caller.
    Put this decorator above @transaction.atomic. Usable bare or with arguments."""

    def decorate(function: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(function)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if connections[using].in_atomic_block:
                return function(*args, **kwargs)
            for attempt in range(1, attempts + 1):
                try:
                    return function(*args, **kwargs)
                except OperationalError as exc:
                    if attempt >= attempts or not is_serialization_failure(exc):
                        raise
                    delay = base_delay * attempt * (1 + random.random())  # noqa: S311  jitter
                    logger.warning(
                        "%s: transaction aborted (%s), attempt %d of %d, again in %.3fs",
                        function.__qualname__,
                        getattr(exc.__cause__, "sqlstate", ""),
                        attempt,
                        attempts,
                        delay,
                    )
                    time.sleep(delay)
            raise AssertionError("unreachable")  # pragma: no cover

        return wrapper

    if func is not None:
        return decorate(func)
    return decorate
