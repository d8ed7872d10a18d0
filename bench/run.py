"""Run every benchmark module and print one table. `make bench` (PostgreSQL: DATABASE_URL).

Each module exposes `run() -> list[dict]` with rows of
{figure, value, unit, size, peak_memory_mb}. Add a module by adding its name below.

Tasks a benchmark enqueues (a signed-in buyer's page views, served with production settings
by bench.pages) go to a Redis database of the benchmark's own, BENCH_CELERY_BROKER_URL
(default redis://127.0.0.1:6379/10), never to the broker of the shell it runs in: no worker
consumes them here, and left on a shared broker's queue they held up CI's real worker once.
Its queues are purged when the run ends."""

import os
import sys
import time

BROKER_URL = os.environ.get("BENCH_CELERY_BROKER_URL", "redis://127.0.0.1:6379/10")
# The default queue and those of production's routes (config/settings/production.py).
QUEUES = ("celery", "settlement", "nightly")

MODULES = [
    "bench.income_allocation",
    "bench.evaluation_scorecards",
    "bench.evaluation_rebuild",
    "bench.evaluation_table",
    "bench.pages",
    "bench.checkout",
    "bench.monitoring",
]
# Side by side with a stock Oscar shop (issue 25): about 17 minutes more, so on request.
if os.environ.get("BENCH_OSCAR") == "1":
    MODULES += ["bench.oscar_compare", "bench.oscar_checkout"]
COLUMNS = [
    ("figure", "figure"),
    ("value", "value"),
    ("unit", "unit"),
    ("size", "data size"),
    ("peak_memory_mb", "peak memory (MB)"),
]


def _format(value) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def table(rows: list[dict]) -> str:
    cells = [[title for _key, title in COLUMNS]]
    cells += [[_format(row.get(key, "")) for key, _title in COLUMNS] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(COLUMNS))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def broker_purge(url: str = BROKER_URL) -> int:
    """Drop the messages left on the benchmark broker's queues; returns how many."""
    from kombu import Connection

    with Connection(url, connect_timeout=5) as connection:
        channel = connection.default_channel
        return sum(channel.queue_purge(queue) or 0 for queue in QUEUES)


def django_setup() -> bool:
    """Django for a benchmark run on a migrated database; False (with a message) unless the
    database is PostgreSQL."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    # A broker inherited from the shell (CI's, a demo's) is replaced by the benchmark's own,
    # here and in the processes the modules start; without one, tasks stay eager as before.
    inherited = os.environ.get("CELERY_BROKER_URL", "")
    if inherited and not inherited.startswith("memory://"):
        os.environ["CELERY_BROKER_URL"] = BROKER_URL
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    settings.DEBUG = False  # DEBUG keeps every query in memory and would skew the figures
    if connection.vendor != "postgresql":
        print("Benchmarks run on PostgreSQL: set DATABASE_URL=postgres://…", file=sys.stderr)
        return False
    # A database made with createdb gets its tables (a second or two once it has them).
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    return True


def main() -> int:
    import importlib

    if not django_setup():
        return 2
    from django.db import connection

    rows, failed = [], []
    for name in MODULES:
        # Modules roll their data back: the dead rows they leave would slow the next one.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        start = time.perf_counter()
        print(f"running {name} …", file=sys.stderr, flush=True)
        try:
            module = importlib.import_module(name)
            rows += module.run()
        except Exception as exc:  # one broken module must not hide the others' figures
            failed.append(name)
            print(f"{name} failed: {exc!r}", file=sys.stderr)
        print(f"{name}: {time.perf_counter() - start:.0f} s", file=sys.stderr, flush=True)
    try:
        purged = broker_purge()
        print(f"{purged} queued tasks purged from {BROKER_URL}", file=sys.stderr)
    except Exception as exc:  # no Redis: nothing can have been queued there
        print(f"benchmark broker not purged: {exc!r}", file=sys.stderr)
    print(table(rows))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
