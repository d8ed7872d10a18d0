"""Benchmark: the nightly monitoring against return to poverty (`households_monitor`)
over 1,000,000 households on PostgreSQL: seconds, and peak memory.

World: 5 western provinces × 3 prefectures × 4 counties × 10 villages (60 counties, 600
villages), a monitoring threshold for the check's year in 4 of the provinces (the fifth
has not published one), 1,000,000 households and about 2.4 million ledger entries over
the two years before the check for 60 % of them (a sixth of those earned only in the
earlier year, so some drop sharply), each table written in one INSERT … SELECT and its
secondary indexes built after the rows. Household personal data is stored as the model
stores it: the ciphertexts come from a pool of real encryptions (the table is as wide as
a real one), the blind index is unique per household.

Figures: the data generation; the check's first run of the day (wall seconds); its second
run the same day (idempotent: adds nothing); the Python peak under tracemalloc (a separate
run, as tracemalloc slows Python several times) and the process's peak RSS during it.

Everything runs inside one transaction that is rolled back: the database is left as found.
`run()` returns rows of {figure, value, unit, size, peak_memory_mb}.

`python -m bench.monitoring [--small] [--profile] [--check]`: --small checks 100,000
households, --profile prints where the first run spends its time, --check compares the
warnings with the portable (non-SQL) implementation's, one by one."""

import argparse
import contextlib
import cProfile
import datetime
import hashlib
import hmac
import io
import os
import pstats
import resource
import sys
import time
import tracemalloc
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count

from bench.world import cooperative_create

HOUSEHOLDS = 1_000_000
SMALL_HOUSEHOLDS = 100_000
ON = datetime.date(2026, 6, 30)
PROVINCES = [("四川省", "6200.00"), ("贵州省", "6000.00"), ("云南省", "6100.00")]
PROVINCES += [("甘肃省", "5900.00"), ("宁夏回族自治区", None)]  # no threshold published
CITIES_PER_PROVINCE = 3
COUNTIES_PER_CITY = 4
VILLAGES_PER_COUNTY = 10
ENTRIES_PER_HOUSEHOLD = 4  # ledger entries of each household with platform income
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["建国", "秀英", "志强", "桂兰", "海燕", "德明", "永红", "玉梅"]


class Rollback(Exception):
    pass


def _world(tag: str):
    """Regions, thresholds, and the cooperative, order line and payment event the ledger
    entries point to. Returns the villages as (village id, county id) and the ledger keys."""
    from bench.evaluation_scorecards import _events, _order_with_lines
    from producers.income.models import IncomeThreshold
    from producers.models import Region

    villages, cooperative = [], None
    for p, (name, threshold) in enumerate(PROVINCES):
        province = Region.objects.create(
            code=f"{tag}{p}", name=f"{name}（基准）", level=1, side="west"
        )
        if threshold:
            IncomeThreshold.objects.create(
                province=province, year=ON.year, amount_per_head=Decimal(threshold)
            )
        for c in range(CITIES_PER_PROVINCE):
            city = Region.objects.create(
                code=f"{tag}{p}{c}", name=f"基准市{c}", level=2, side="west", parent=province
            )
            for x in range(COUNTIES_PER_CITY):
                county = Region.objects.create(
                    code=f"{tag}{p}{c}{x}", name=f"基准县{x}", level=3, side="west", parent=city
                )
                town = Region.objects.create(
                    code=f"{tag}{p}{c}{x}T", name="基准镇", level=4, side="west", parent=county
                )
                villages += [
                    (
                        Region.objects.create(
                            code=f"{tag}{p}{c}{x}{v}",
                            name=f"基准村{v}",
                            level=5,
                            side="west",
                            parent=town,
                        ).pk,
                        county.pk,
                    )
                    for v in range(VILLAGES_PER_COUNTY)
                ]
                if cooperative is None:
                    cooperative = cooperative_create(
                        name=f"基准监测合作社{tag}", number=tag[1:], village_id=villages[0][0]
                    )
    order, [line] = _order_with_lines(tag=tag, n=1, cooperative=cooperative)
    [event] = _events(order, 1)
    return villages, {"cooperative": cooperative.pk, "line": line.pk, "event": event.pk}


def _blind_index_pads() -> tuple[bytes, bytes]:
    """The inner and outer HMAC-SHA256 pads of crypto.blind_index's key: with them
    PostgreSQL's sha256() computes the same index, HMAC being
    sha256(opad || sha256(ipad || message))."""
    from producers import crypto

    key = hmac.new(crypto._master_key(), b"dongxi.blind-index", hashlib.sha256).digest()
    key = key.ljust(64, b"\0")  # sha256's block size
    return bytes(k ^ 0x36 for k in key), bytes(k ^ 0x5C for k in key)


def _households(*, tag: str, villages, count: int) -> None:
    """`count` households in one INSERT … SELECT; the register numbers are unique, their
    blind index computed by the server."""
    from producers import crypto

    # Small pools: PostgreSQL reads an array's n-th text element by walking the n before.
    numbers = [crypto.encrypt(f"52232701{n:08d}") for n in range(32)]
    names = [crypto.encrypt(s + g) for s, g in zip(SURNAMES, GIVEN * 3, strict=False)]
    phones = [crypto.encrypt(f"1380013{n:04d}") for n in range(16)] + [""] * 4
    inner, outer = _blind_index_pads()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT encode(sha256(%s || sha256(%s || convert_to(%s, 'UTF8'))), 'hex')",
            [outer, inner, "5223270101000123"],
        )
        if cursor.fetchone()[0] != crypto.blind_index("5223270101000123"):
            raise RuntimeError("the benchmark's blind index differs from producers.crypto's")
        cursor.execute(
            """
            INSERT INTO producers_household (register_number, register_number_index,
                head_name, phone, village_id, county_id, size, status,
                baseline_income_per_head, registered_year)
            SELECT (%(numbers)s::text[])[1 + g %% %(n_numbers)s],
                encode(sha256(%(outer)s || sha256(%(inner)s
                    || convert_to(%(tag)s || lpad(g::text, 9, '0'), 'UTF8'))), 'hex'),
                (%(names)s::text[])[1 + g %% %(n_names)s],
                (%(phones)s::text[])[1 + g %% %(n_phones)s],
                (%(villages)s::bigint[])[1 + g %% %(n_villages)s],
                (%(counties)s::bigint[])[1 + g %% %(n_villages)s],
                1 + g * 7 %% 6,
                CASE WHEN g %% 5 = 0 THEN 'monitored' ELSE 'exited' END,
                -- ¥5,000–16,000 per head, spread around the thresholds (¥5,900–6,200):
                -- about one household in eight starts below its province's line.
                (5000 + (g * 2654435761 %% 1100000) / 100.0)::numeric(10, 2),
                2014 + g %% 6
            FROM generate_series(0, %(count)s - 1) AS g
            """,
            {
                "numbers": numbers,
                "n_numbers": len(numbers),
                "outer": outer,
                "inner": inner,
                "tag": tag,
                "names": names,
                "n_names": len(names),
                "phones": phones,
                "n_phones": len(phones),
                "villages": [village for village, _county in villages],
                "counties": [county for _village, county in villages],
                "n_villages": len(villages),
                "count": count,
            },
        )


@contextlib.contextmanager
def _indexes_rebuilt(tables: list[str]):
    """Drop the tables' secondary indexes (and unique constraints) while the block writes
    millions of rows, and build them again after it: a build from sorted rows is much
    faster than as many inserts into each index. The transaction's rollback restores them
    anyway; they are rebuilt so that the measured check reads the tables as indexed."""
    rebuild = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                """
                SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid),
                    c.conname, pg_get_constraintdef(c.oid)
                FROM pg_index i
                LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid
                    AND c.conrelid = i.indrelid AND c.contype = 'u'
                WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
                """,
                [table],
            )
            for index, index_sql, constraint, constraint_sql in cursor.fetchall():
                if constraint:
                    cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {constraint}")
                    rebuild.append(
                        f"ALTER TABLE {table} ADD CONSTRAINT {constraint} {constraint_sql}"
                    )
                else:
                    cursor.execute(f"DROP INDEX {index}")
                    rebuild.append(index_sql)
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for statement in rebuild:
            cursor.execute(statement)
        for table in tables:
            cursor.execute(f"ANALYZE {table}")


def _ledger(*, tag: str, keys: dict) -> int:
    """ENTRIES_PER_HOUSEHOLD entries for 6 in 10 of the run's households over the two years
    before ON (one INSERT … SELECT); one in 10 earned only in the earlier year, with larger
    amounts, so many of those drop sharply. Amounts and days vary by a hash of the id."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO income_ledgerentry (household_id, cooperative_id, line_id, kind,
                amount, scheme_id, payment_event_id, booked_on, created_at)
            SELECT id, %(cooperative)s, %(line)s,
                (ARRAY['produce_supply', 'wage_labour', 'dividend'])[1 + n %% 3],
                CASE WHEN id %% 10 = 5 THEN (200000 + r %% 600000) / 100.0
                     ELSE (2000 + r %% 300000) / 100.0 END,
                NULL, %(event)s,
                CASE WHEN id %% 10 = 5 THEN %(on)s::date - 365 - (r %% 365)::int
                     ELSE %(on)s::date - (r %% 730)::int END,
                now()
            FROM (
                SELECT h.id, n, (h.id * 2654435761 + n * 40503) %% 1000003 AS r
                FROM producers_household h
                JOIN producers_region c ON c.id = h.county_id
                CROSS JOIN generate_series(0, %(entries)s - 1) AS n
                WHERE c.code LIKE %(tag)s AND h.id %% 10 < 6
            ) AS series
            """,
            {**keys, "on": ON, "entries": ENTRIES_PER_HOUSEHOLD, "tag": f"{tag}%"},
        )
        return cursor.rowcount


def _rss_peak_reset() -> float | None:
    """Reset the process's peak RSS (Linux: /proc/self/clear_refs), so that getrusage
    reports the peak of what follows rather than of the data generation. Returns the RSS
    in MB it starts from, or None where the peak cannot be reset."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        with open("/proc/self/status") as f:
            rss = next(line for line in f if line.startswith("VmRSS:"))
    except (OSError, StopIteration):
        return None
    return int(rss.split()[1]) / 1024  # kB


def _vacuum() -> None:
    """Reclaim the rows an earlier run's rollback left dead, which every scan would read
    again (VACUUM runs outside a transaction)."""
    with connection.cursor() as cursor:
        for table in ["producers_household", "income_ledgerentry", "income_earlywarning"]:
            cursor.execute(f"VACUUM ANALYZE {table}")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.1f}/{five:.1f}/{fifteen:.1f} on {os.cpu_count()} CPUs"


def _warnings() -> set[tuple]:
    from producers.income.models import EarlyWarning

    return set(
        EarlyWarning.objects.filter(computed_on=ON).values_list(
            "household_id",
            "county_id",
            "reason",
            "income_per_head",
            "threshold",
            "previous_income_per_head",
            "state",
        )
    )


def run(*, small: bool = False, profile: bool = False, check: bool = False) -> list[dict]:
    from producers.income.models import EarlyWarning
    from producers.income.services import monitoring

    if connection.vendor != "postgresql":
        raise RuntimeError("The monitoring benchmark runs on PostgreSQL (set DATABASE_URL).")
    count = SMALL_HOUSEHOLDS if small else HOUSEHOLDS
    tag = f"M{int(time.time()) % 100000:05d}"
    rows: list[dict] = []
    _vacuum()
    try:
        with transaction.atomic():
            start = time.perf_counter()
            with connection.cursor() as cursor:
                # The generated rows are consistent by construction: skip the foreign key
                # triggers while writing them (this transaction only; needs a superuser).
                cursor.execute("SET LOCAL session_replication_role = replica")
            villages, keys = _world(tag)
            phases = [time.perf_counter()]
            with _indexes_rebuilt(["producers_household", "income_ledgerentry"]):
                _households(tag=tag, villages=villages, count=count)
                phases.append(time.perf_counter())
                entries = _ledger(tag=tag, keys=keys)
                phases.append(time.perf_counter())
            phases.append(time.perf_counter())
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = origin")
            generation = time.perf_counter() - start
            size = f"{count:,} households, {entries:,} ledger entries"
            print(
                f"  data generated in {generation:.1f} s: {size} (regions "
                f"{phases[0] - start:.1f} s, households {phases[1] - phases[0]:.1f} s, "
                f"ledger {phases[2] - phases[1]:.1f} s, indexes {phases[3] - phases[2]:.1f} s)",
                file=sys.stderr,
            )
            rows.append(
                {
                    "figure": "monitoring: data generation (INSERT … SELECT, then indexes)",
                    "value": round(generation, 1),
                    "unit": "s",
                    "size": size,
                    "peak_memory_mb": f"{_rss_mb():.0f} process",
                }
            )

            profiler = cProfile.Profile() if profile else None
            start = time.perf_counter()
            if profiler:
                profiler.enable()
            added = monitoring.households_monitor(on=ON)
            if profiler:
                profiler.disable()
            first = time.perf_counter() - start
            by_reason = dict(
                EarlyWarning.objects.filter(computed_on=ON)
                .values_list("reason")
                .annotate(n=Count("id"))
            )
            if not added or len(by_reason) != 2:
                raise RuntimeError(f"implausible warnings: {added} new, {by_reason}")
            print(f"  first run: {added:,} warnings in {first:.1f} s ({_load()})", file=sys.stderr)
            if profiler:
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats("cumtime").print_stats(25)
                print(out.getvalue(), file=sys.stderr)
            warnings = (
                f"{by_reason[EarlyWarning.Reason.BELOW_THRESHOLD]:,} below threshold, "
                f"{by_reason[EarlyWarning.Reason.SHARP_DROP]:,} sharp drops"
            )
            rows.append(
                {
                    "figure": "monitoring: nightly check, first run of the day",
                    "value": round(first, 1),
                    "unit": "s",
                    "size": f"{count:,} households → {warnings}; {_load()}",
                    "peak_memory_mb": "",
                }
            )

            start = time.perf_counter()
            again = monitoring.households_monitor(on=ON)
            second = time.perf_counter() - start
            if again:
                raise RuntimeError(f"the second run of the day added {again} warnings")
            rows.append(
                {
                    "figure": "monitoring: second run the same day (adds 0)",
                    "value": round(second, 1),
                    "unit": "s",
                    "size": f"{count:,} households",
                    "peak_memory_mb": "",
                }
            )

            if check:
                found = _warnings()
                EarlyWarning.objects.filter(computed_on=ON).delete()
                start = time.perf_counter()
                monitoring._households_monitor_python(on=ON)
                portable = time.perf_counter() - start
                if _warnings() != found:
                    raise RuntimeError("the SQL and the portable implementation differ")
                print(
                    f"  check: {len(found):,} warnings identical to the portable "
                    f"implementation's ({portable:.1f} s)",
                    file=sys.stderr,
                )

            # Memory: a fresh run of the day, under tracemalloc, with the RSS peak reset.
            EarlyWarning.objects.filter(computed_on=ON).delete()
            start_rss = _rss_peak_reset()
            tracemalloc.start()
            try:
                monitoring.households_monitor(on=ON)
                traced = tracemalloc.get_traced_memory()[1] / 1e6
            finally:
                tracemalloc.stop()
            if start_rss is None:
                rss = f"RSS peak {_rss_mb():.0f} since the process started"
            else:
                rss = f"RSS peak {_rss_mb():.0f} (from {start_rss:.0f})"
            rows.append(
                {
                    "figure": "monitoring: peak memory of a run (Python traced; RSS)",
                    "value": f"{traced:.2f}",  # a float would print with one decimal
                    "unit": "MB",
                    "size": f"{count:,} households",
                    "peak_memory_mb": f"{traced:.2f} traced, {rss}",
                }
            )
            raise Rollback
    except Rollback:
        pass
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--small", action="store_true", help="100,000 households")
    parser.add_argument("--profile", action="store_true", help="profile the first run")
    parser.add_argument("--check", action="store_true", help="compare with the portable path")
    args = parser.parse_args()
    from bench.run import django_setup, table

    if not django_setup():
        return 2
    print(table(run(small=args.small, profile=args.profile, check=args.check)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
