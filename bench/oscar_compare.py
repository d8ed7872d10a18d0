"""Benchmark: our storefront side by side with a stock django-oscar 4.2.1 shop (issue 25).

Issue 25 asks for the signed-in product page at 10× and the signed-in catalogue at 50× the
stock Oscar sandbox measured the same way. Oscar's sandbox is not in the PyPI package and
cannot be fetched here, so the comparator is bench.oscar_stock: a stock Oscar 4.2.1 project
configured as Oscar's documentation ("Building your own shop") says, with the sandbox's
local-memory cache and Whoosh search, DEBUG off, cached templates and persistent PostgreSQL
connections, and generated data (209 products, the sandbox's count, with prices, stock
records and categories, no images; a customer with two products in the basket). It is not
Oscar's sandbox itself.

Method: both apps served by the same gunicorn command (2 sync workers), both running for
the whole run, loaded one at a time by wrk with 8 connections (a 5 s warm-up, then
BENCH_SECONDS, default 20); for each of the catalogue list, a product page (rotating over
200 products) and a search, signed in (our consumer, Oscar's customer, each with two
products in the basket, signed in through the login form; wrk sends the session cookie)
and anonymous. Three rounds (BENCH_ROUNDS), each page measured for both apps back to back,
ours first in odd rounds and Oscar first in even ones; the load average is recorded with
each measurement, as the machine is shared. SQL queries per page are counted in a separate
process per app with CaptureQueriesContext (same settings and database, signed in through
the same form). Ratios are ours ÷ Oscar of the median over the rounds, and per round.

With BENCH_OSCAR_LARGE=1 our signed-in pages are measured once more at 400,000 products
(bench.datagen large; Oscar stays at 209).

Run (PostgreSQL; our data from bench.datagen, `<DATABASE_URL name>_small`; Oscar's in
OSCAR_DATABASE_URL, default …/dongxi_oscarbench, made on first run):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dongxi_oscar_ours \\
    BENCH_REDIS_CACHE_URL=redis://127.0.0.1:6379/12 \\
    BENCH_CELERY_BROKER_URL=redis://127.0.0.1:6379/12 \\
        .venv/bin/python -m bench.oscar_compare

or as part of `make bench` with BENCH_OSCAR=1 (bench.run). About 15 minutes at the
default 20 s; BENCH_SECONDS=5 BENCH_ROUNDS=1 for a quick look."""

import contextlib
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

from bench import datagen, pages

ROOT = Path(__file__).resolve().parent.parent
OSCAR_DATABASE_URL = os.environ.get(
    "OSCAR_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dongxi_oscarbench"
)
PAGES = ("product detail", "catalogue list", "search")
VIEWS = ("signed in", "anonymous")
OURS, OSCAR = "ours", "Oscar"
OSCAR_LOGIN_PATH = "/accounts/login/"


def oscar_env(port: int = 0) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.oscar_stock.settings",
        "DATABASE_URL": OSCAR_DATABASE_URL,
    }
    env.pop("PYTHONWARNINGS", None)
    return env


def oscar_prepare() -> None:
    """Migrate and fill Oscar's database (once) and its search index."""
    subprocess.run(
        [sys.executable, "-W", "ignore", "-m", "bench.oscar_stock.data"],
        cwd=ROOT,
        env=oscar_env(),
        check=True,
    )


@contextlib.contextmanager
def oscar_serve():
    """The stock shop under the same gunicorn command as ours; yields (base URL, pid)."""
    port = pages._free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [str(gunicorn), "bench.oscar_stock.wsgi:application"]
    command += ["--workers", str(pages.WORKERS), "--bind", f"127.0.0.1:{port}"]
    command += ["--log-level", "warning"]
    env = {**oscar_env(port), "PYTHONWARNINGS": "ignore"}
    process = subprocess.Popen(command, cwd=ROOT, env=env)  # noqa: S603  fixed arguments
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise RuntimeError("Oscar's gunicorn exited while starting")
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(base + "/catalogue/", timeout=30) as response:  # noqa: S310
                    if response.status == 200:
                        break
            if time.monotonic() > deadline:
                raise RuntimeError("Oscar's gunicorn did not answer within 120 s")
            time.sleep(0.5)
        yield base, process.pid
    finally:
        process.terminate()
        process.wait(timeout=30)


def oscar_pages() -> dict[str, list[str]]:
    with datagen._connect(OSCAR_DATABASE_URL) as conn:
        products = conn.execute(
            "SELECT slug, id FROM catalogue_product ORDER BY date_created DESC LIMIT %s",
            (pages.PRODUCT_PAGES,),
        ).fetchall()
    return {
        "catalogue list": ["/catalogue/"],
        "product detail": [f"/catalogue/{slug}_{pk}/" for slug, pk in products],
        "search": ["/search/?q=" + urllib.parse.quote(pages.SEARCH)],
    }


def oscar_query_counts(paths: dict[str, list[str]]) -> dict[tuple[str, str], int]:
    firsts = [paths[page][0] for page in PAGES]
    out = subprocess.run(  # noqa: S603  our own module, paths from the database
        [sys.executable, "-W", "ignore", "-m", "bench.oscar_compare", "oscar-queries", *firsts],
        cwd=ROOT,
        env=oscar_env(),
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    by_path = json.loads(out.strip().splitlines()[-1])
    return {(page, view): by_path[view][paths[page][0]] for page in PAGES for view in VIEWS}


def ours_query_counts(url: str, paths: dict[str, list[str]]) -> dict[tuple[str, str], int]:
    counts = pages._query_counts(url, paths)
    signed_in = pages.signed_in_label
    return {
        **{(page, "anonymous"): counts[page] for page in PAGES},
        **{(page, "signed in"): counts[signed_in(page, "consumer")] for page in PAGES},
    }


def _load() -> float:
    return os.getloadavg()[0]


def _measure(base: str, paths: list[str], cookie: str, seconds: int) -> dict:
    load = _load()
    result = pages._wrk(base, paths, seconds, cookie=cookie)
    return {**result, "load": (load + _load()) / 2}


def rounds_run(apps: dict, rounds: int, seconds: int) -> list[dict]:
    """apps: name → (base, paths, cookie when signed in). Each page and view is measured
    for both apps back to back, the order swapped every round."""
    results = []
    for n in range(1, rounds + 1):
        order = [OURS, OSCAR] if n % 2 else [OSCAR, OURS]
        for page in PAGES:
            for view in VIEWS:
                for app in order:
                    base, paths, cookie = apps[app]
                    measured = _measure(
                        base, paths[page], cookie if view == "signed in" else "", seconds
                    )
                    results.append({"round": n, "app": app, "page": page, "view": view, **measured})
                    print(
                        f"  round {n} {app:5} {page}, {view}: {measured['rps']:.1f} req/s, "
                        f"p50 {measured['p50']:.0f} ms, load {measured['load']:.2f}",
                        file=sys.stderr,
                        flush=True,
                    )
    return results


def _ratio(ours: float, oscar: float) -> float:
    """ours ÷ Oscar; infinite when Oscar completed no request in the time."""
    return ours / oscar if oscar else float("inf")


def summary(results: list[dict], queries: dict) -> list[dict]:
    rows = []
    for page in PAGES:
        for view in VIEWS:

            def of(app, page=page, view=view):
                return [r for r in results if (r["app"], r["page"], r["view"]) == (app, page, view)]

            ours, oscar = of(OURS), of(OSCAR)
            median = {app: statistics.median(r["rps"] for r in of(app)) for app in (OURS, OSCAR)}
            per_round = [_ratio(a["rps"], b["rps"]) for a, b in zip(ours, oscar, strict=True)]
            rows.append(
                {
                    "page": page,
                    "view": view,
                    "ours_rps": median[OURS],
                    "oscar_rps": median[OSCAR],
                    "ratio": _ratio(median[OURS], median[OSCAR]),
                    "ratio_min": min(per_round),
                    "ratio_max": max(per_round),
                    "ours_p50": statistics.median(r["p50"] for r in ours),
                    "oscar_p50": statistics.median(r["p50"] for r in oscar),
                    "ours_queries": queries[OURS][(page, view)],
                    "oscar_queries": queries[OSCAR][(page, view)],
                    "load": [round(r["load"], 2) for r in ours + oscar],
                }
            )
    return rows


def _print_summary(rows: list[dict], results: list[dict]) -> None:
    lines = [
        "page, view | ours req/s | Oscar req/s | ours ÷ Oscar (rounds) | p50 ms ours/Oscar"
        " | queries ours/Oscar"
    ]
    for row in rows:
        lines.append(
            f"{row['page']}, {row['view']} | {row['ours_rps']:.1f} | {row['oscar_rps']:.1f} | "
            f"{row['ratio']:.1f}× ({row['ratio_min']:.1f}–{row['ratio_max']:.1f}) | "
            f"{row['ours_p50']:.0f}/{row['oscar_p50']:.0f} | "
            f"{row['ours_queries']}/{row['oscar_queries']}"
        )
    loads = [r["load"] for r in results]
    lines.append(f"load average (1 min) during the rounds: {min(loads):.2f}–{max(loads):.2f}")
    print("\n".join(lines), file=sys.stderr, flush=True)


def _ours_prepare(size: datagen.Size) -> tuple[str, dict[str, list[str]]]:
    dataset = datagen.ensure(size)
    url = dataset["url"]
    pages._collectstatic(pages.server_env(url, 0))
    pages._signed_in_users_create(url)
    paths = {page: p for page, p in pages._pages(url).items() if page in PAGES}
    return url, paths


def _ours_large(seconds: int) -> list[dict]:
    """Our signed-in pages at 400,000 products, one round (Oscar has no counterpart)."""
    size = datagen.SIZES["large"]
    url, paths = _ours_prepare(size)
    queries = ours_query_counts(url, paths)
    rows = []
    with pages.serve(url) as (base, _master):
        cookie = pages.login_cookie(base, pages.SIGNED_IN["consumer"], pages.SIGNED_IN_PASSWORD)
        for page in PAGES:
            measured = _measure(base, paths[page], cookie, seconds)
            print(
                f"  large ours {page}, signed in: {measured['rps']:.1f} req/s, "
                f"p50 {measured['p50']:.0f} ms, {queries[(page, 'signed in')]} queries, "
                f"load {measured['load']:.2f}",
                file=sys.stderr,
                flush=True,
            )
            rows += [
                {
                    "figure": f"ours, {page}, signed in: requests",
                    "value": measured["rps"],
                    "unit": "req/s",
                    "size": f"{size.products:,} products",
                    "peak_memory_mb": "",
                },
                {
                    "figure": f"ours, {page}, signed in: SQL queries",
                    "value": queries[(page, "signed in")],
                    "unit": "per page",
                    "size": f"{size.products:,} products",
                    "peak_memory_mb": "",
                },
            ]
    return rows


def run() -> list[dict]:
    seconds = int(os.environ.get("BENCH_SECONDS", "20"))
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    size = datagen.SIZES["small"]
    oscar_prepare()
    url, ours_paths = _ours_prepare(size)
    stock_paths = oscar_pages()
    queries = {OURS: ours_query_counts(url, ours_paths), OSCAR: oscar_query_counts(stock_paths)}
    for (page, view), count in queries[OURS].items():
        oscar_count = queries[OSCAR][(page, view)]
        print(f"  SQL queries, {page}, {view}: ours {count}, Oscar {oscar_count}", file=sys.stderr)
    with pages.serve(url) as (ours_base, ours_master), oscar_serve() as (oscar_base, oscar_pid):
        ours_cookie = pages.login_cookie(
            ours_base, pages.SIGNED_IN["consumer"], pages.SIGNED_IN_PASSWORD
        )
        from bench.oscar_stock.data import CUSTOMER_EMAIL, CUSTOMER_PASSWORD

        oscar_cookie = pages.login_cookie(
            oscar_base, CUSTOMER_EMAIL, CUSTOMER_PASSWORD, login_path=OSCAR_LOGIN_PATH
        )
        apps = {
            OURS: (ours_base, ours_paths, ours_cookie),
            OSCAR: (oscar_base, stock_paths, oscar_cookie),
        }
        results = rounds_run(apps, rounds, seconds)
        peak = {
            OURS: pages._worker_peak_rss_mb(ours_master),
            OSCAR: pages._worker_peak_rss_mb(oscar_pid),
        }
    rows = summary(results, queries)
    _print_summary(rows, results)
    print(json.dumps({"rounds": results, "summary": rows}), file=sys.stderr)
    sizes = {OURS: f"{size.products:,} products", OSCAR: "209 products (stock Oscar)"}
    table = []
    for row in rows:
        name = f"{row['page']}, {row['view']}"
        for app, key in ((OURS, "ours"), (OSCAR, "oscar")):
            table.append(
                {
                    "figure": f"{app}, {name}: requests (median of {rounds})",
                    "value": row[f"{key}_rps"],
                    "unit": "req/s",
                    "size": sizes[app],
                    "peak_memory_mb": peak[app],
                }
            )
            table.append(
                {
                    "figure": f"{app}, {name}: SQL queries",
                    "value": row[f"{key}_queries"],
                    "unit": "per page",
                    "size": sizes[app],
                    "peak_memory_mb": "",
                }
            )
        table.append(
            {
                "figure": f"ours ÷ Oscar, {name} (rounds {row['ratio_min']:.1f}–"
                f"{row['ratio_max']:.1f})",
                "value": row["ratio"],
                "unit": "×",
                "size": "",
                "peak_memory_mb": "",
            }
        )
    if os.environ.get("BENCH_OSCAR_LARGE") == "1":
        table += _ours_large(seconds)
    return table


def _oscar_count_queries(paths: list[str]) -> None:
    """In this process (Oscar's settings): each page warmed, then counted, anonymous (a new
    visitor each time) and signed in through Oscar's login form."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.oscar_stock.data import CUSTOMER_EMAIL, CUSTOMER_PASSWORD

    counts = {"anonymous": {}, "signed in": {}}
    for path in paths:
        for _visit in range(2):
            assert Client(HTTP_HOST="127.0.0.1").get(path).status_code == 200, path
        client = Client(HTTP_HOST="127.0.0.1")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200, path
        counts["anonymous"][path] = len(captured)
    client = Client(HTTP_HOST="127.0.0.1")
    form = {"login-username": CUSTOMER_EMAIL, "login-password": CUSTOMER_PASSWORD}
    response = client.post(OSCAR_LOGIN_PATH, {**form, "login_submit": "1"})
    assert response.status_code == 302, "Oscar's customer could not sign in"
    for path in paths:
        assert client.get(path).status_code == 200, path
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200, path
        counts["signed in"][path] = len(captured)
    print(json.dumps(counts))


def main() -> int:
    from bench.run import django_setup, table

    if not django_setup():
        return 2
    print(table(run()))
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["oscar-queries"]:
        _oscar_count_queries(sys.argv[2:])
    else:
        sys.exit(main())
