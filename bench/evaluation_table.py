"""Benchmark: the evaluators' year table (`/evaluation/<year>/`) at China's 1,608 pairings
on PostgreSQL, rendered for a signed-in evaluator through Django's test Client: the first
page, a filtered page (one western province, east–west cooperation), and the same year
unpaginated on one page (what every request rendered before the table had pages), each
with its response size and query count; and, for comparison, a refresh of the year's
scorecards over the same facts.

World: bench.world's filler regions (3,094) and pairings (1,600, each with an agreement)
plus 8 east–west pairings of a benchmark province, as in bench.evaluation_scorecards; the
five indicators of bench.world; 200,000 purchase facts spread over every pairing (bought,
a third also helped), written in one INSERT … SELECT; every scorecard made by a refresh.

Everything runs inside one transaction that is rolled back: the database is left as found.
`run()` returns rows of {figure, value, unit, size, peak_memory_mb}."""

import statistics
import time
import tracemalloc

from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.world import agreements_create, indicators_create, pairings_fill, regions_fill

YEAR = 2091  # a year no real data uses: the run adds its own indicators
FACTS = 200_000
EVENTS = 200  # facts are keyed (payment event, line): EVENTS × LINES distinct keys
LINES = FACTS // EVENTS
EXTRA_PAIRINGS = 8  # with pairings_fill's 1,600: China's 1,608
REPEAT = 5


class Rollback(Exception):
    pass


def _extra_pairings(tag: str) -> None:
    """Eight east–west pairings of a benchmark eastern province's cities with a western
    province's prefectures, each with an agreement for YEAR."""
    from evaluation.models import Pairing
    from producers.models import Region

    east = Region.objects.create(code=f"{tag}E", name="基准东部省", level=1, side="east")
    west = Region.objects.create(code=f"{tag}W", name="基准西部省", level=1, side="west")
    pairings = [
        Pairing.objects.create(
            kind="east_west",
            east_region=Region.objects.create(
                code=f"{tag}E{i}", name=f"基准东部市{i}", level=2, side="east", parent=east
            ),
            west_region=Region.objects.create(
                code=f"{tag}W{i}", name=f"基准西部州{i}", level=2, side="west", parent=west
            ),
            start_year=2016,
        )
        for i in range(EXTRA_PAIRINGS)
    ]
    agreements_create(pairings=pairings, year=YEAR, bought="20000000", helped="5000000", products=5)


def _bulk_facts(*, tag: str) -> None:
    """FACTS facts of YEAR in one INSERT … SELECT, spread evenly over every pairing with an
    agreement for YEAR (bought; every third also helped), every fiftieth not counted."""
    from bench.evaluation_scorecards import _events, _order_with_lines
    from evaluation.models import Agreement

    pairing_ids = list(
        Agreement.objects.filter(year=YEAR)
        .order_by("pairing_id")
        .values_list("pairing_id", flat=True)
    )
    order, lines = _order_with_lines(tag=tag, n=LINES)
    events = _events(order, EVENTS)
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO evaluation_purchasefact (
                payment_event_id, line_id, order_id, kind, occurred_at, sold_at, year, month,
                natural_year, note, origin_deep_poverty, origin_supervision_target,
                origin_exit_year, buyer_kind, attribution_note, bought_pairing_id,
                helped_pairing_id, quantity, amount, counts, excluded_reason, created_at
            )
            SELECT
                (%(events)s::bigint[])[1 + (g %% %(n_events)s)],
                (%(lines)s::bigint[])[1 + (g / %(n_events)s) %% %(n_lines)s],
                %(order)s, 'sale', ts, ts, %(year)s, extract(month from ts)::int, %(year)s,
                '', g %% 3 = 0, false, 2020, 'consumer', '',
                (%(pairings)s::bigint[])[1 + (g %% %(n_pairings)s)],
                CASE WHEN g %% 3 = 0 THEN (%(pairings)s::bigint[])[1 + (g %% %(n_pairings)s)] END,
                1 + g %% 5, ((1 + g %% 5) * 1234.50)::numeric(12, 2), g %% 50 <> 0, '', now()
            FROM (
                SELECT g, make_timestamptz(%(year)s, 1 + g %% 12, 1 + g %% 28, 10, 0, 0) AS ts
                FROM generate_series(0, %(facts)s - 1) AS g
            ) AS series
            """,
            {
                "events": [e.pk for e in events],
                "lines": [line.pk for line in lines],
                "n_events": len(events),
                "n_lines": len(lines),
                "order": order.pk,
                "year": YEAR,
                "pairings": pairing_ids,
                "n_pairings": len(pairing_ids),
                "facts": FACTS,
            },
        )
        cursor.execute("ANALYZE")


def _evaluator() -> Client:
    from django.contrib.auth.models import Group

    from marketplace.users.models import User
    from marketplace.users.roles import EVALUATOR

    user = User.objects.create(email=f"bench-evaluator-{time.time_ns()}@dongxi.example")
    user.groups.add(Group.objects.get(name=EVALUATOR.code))
    client = Client()
    client.force_login(user)
    return client


def _render(client: Client, path: str, params: dict) -> tuple[float, int, int, float]:
    """Median seconds of REPEAT renders after one to warm up, the response's size in bytes,
    its queries, and the Python peak (MB) of one more render under tracemalloc."""
    response = client.get(path, params)
    if response.status_code != 200:
        raise RuntimeError(f"{path} {params}: {response.status_code}")
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        response = client.get(path, params)
        times.append(time.perf_counter() - start)
    connection.queries_log.clear()  # a full log (its length capped) would count nothing
    with CaptureQueriesContext(connection) as captured:
        client.get(path, params)
    queries = len(captured)  # now: the next request clears the log it reads from
    tracemalloc.start()
    try:
        client.get(path, params)
        peak = tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()
    return statistics.median(times), len(response.content), queries, peak


def run() -> list[dict]:
    from django.urls import reverse

    from evaluation.models import Scorecard
    from evaluation.services.scoring import scorecards_refresh
    from evaluation.views.screens import PairingTableView

    if connection.vendor != "postgresql":
        raise RuntimeError("The evaluation benchmark runs on PostgreSQL (set DATABASE_URL).")
    rows: list[dict] = []
    try:
        with transaction.atomic():
            tag = f"T{int(time.time()) % 100000:05d}"
            regions_fill(tag=tag)
            pairings_fill(tag=tag, year=YEAR)
            _extra_pairings(tag)
            indicators_create(
                year=YEAR, codes=["bought", "helped", "products", "deep", "households"]
            )
            _bulk_facts(tag=tag)

            start = time.perf_counter()
            scorecards_refresh(year=YEAR)  # the year's first: makes every card and item
            made = time.perf_counter() - start
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
            start = time.perf_counter()
            scorecards_refresh(year=YEAR)  # every figure right already: the nightly run
            refresh = time.perf_counter() - start
            pairings = Scorecard.objects.filter(year=YEAR).count()

            client = _evaluator()
            path = reverse("evaluation:table-year", args=[YEAR])
            # A western filler province of bench.world with east–west pairings (80).
            west = {"west_province": f"{tag}Z08", "kind": "east_west"}
            first = _render(client, path, {})
            filtered = _render(client, path, west)
            whole_by = PairingTableView.paginate_by
            PairingTableView.paginate_by = pairings  # every row on one page, as before
            try:
                whole = _render(client, path, {})
            finally:
                PairingTableView.paginate_by = whole_by

            def row(figure, measured):
                seconds, size, queries, peak = measured
                return {
                    "figure": figure,
                    "value": round(seconds * 1000, 1),
                    "unit": "ms",
                    "size": f"{size:,} bytes, {queries} queries",
                    "peak_memory_mb": round(peak, 1),
                }

            rows = [
                row(
                    f"evaluation table: first page ({whole_by} of {pairings:,} pairings)",
                    first,
                ),
                row(
                    "evaluation table: filtered page (a western province, east–west)",
                    filtered,
                ),
                row(
                    f"evaluation table: all {pairings:,} pairings on one page (unpaginated)",
                    whole,
                ),
                {
                    "figure": f"evaluation: scorecards refresh, {pairings:,} pairings (first)",
                    "value": round(made, 2),
                    "unit": "s",
                    "size": FACTS,
                    "peak_memory_mb": None,
                },
                {
                    "figure": "evaluation: the same when every figure is right already",
                    "value": round(refresh, 2),
                    "unit": "s",
                    "size": FACTS,
                    "peak_memory_mb": None,
                },
            ]
            raise Rollback
    except Rollback:
        pass
    return rows


if __name__ == "__main__":  # python -m bench.evaluation_table
    from bench.run import django_setup, table

    if django_setup():
        print(table(run()))
