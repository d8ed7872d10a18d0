"""When beat and a worker were last seen. Beat publishes `config.tasks.heartbeat_task` every
minute (CELERY_BEAT_SCHEDULE): beat records itself when it publishes it, the worker when it
runs it (config/celery.py, config/tasks.py). The timestamps live in the cache, which web,
worker and beat share in production (Redis, REDIS_CACHE_URL)."""

import time

from django.core.cache import cache

PARTS = ("beat", "worker")


def _key(part: str) -> str:
    return f"ops:seen:{part}"


def heartbeat_record(*, part: str, at: float | None = None) -> None:
    if part not in PARTS:
        raise ValueError(part)
    # Kept a day: an old timestamp says "seen long ago", a missing one "never seen".
    cache.set(_key(part), time.time() if at is None else at, timeout=24 * 3600)


def heartbeat_age(*, part: str) -> float | None:
    """Seconds since the part was last seen; None when never (or not within a day)."""
    seen = cache.get(_key(part))
    return None if seen is None else max(0.0, time.time() - float(seen))
