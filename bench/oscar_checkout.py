"""Benchmark: our checkout's server time per order against stock Oscar's same flow, in one
run on one machine (issue 25 asks for at most a third of Oscar's).

Both are timed the same way, in a process of their own with Django's test client, signed
in, two products an order, persistent database connections, the confirmation e-mail built
but not sent, one warm-up order then BENCH_CHECKOUT_HTTP_ORDERS (default 15) in sequence:
ours by bench.checkout (basket → checkout → address → preview → place → pay page →
Stripe's return → thank-you, against localstripe, settlement enqueued for the workers),
Oscar's by bench.oscar_stock.checkout (basket → checkout → address → payment details →
preview → place → thank-you; stock Oscar takes no payment). Our time is reported with
and without the time spent waiting for Stripe's answers. BENCH_ROUNDS (default 3)
rounds, ours first in odd rounds and Oscar first in even ones, as the machine is shared;
ratios are ours ÷ Oscar of the medians, with each round's ratio beside them. Oscar's own
two additions to the basket are reported apart, with what a third of Oscar's order leaves
for everything else: ours adds to the basket with Oscar's own view.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/dongxi_bench \\
        .venv/bin/python -m bench.oscar_checkout

or in `make bench` with BENCH_OSCAR=1."""

import json
import os
import statistics
import subprocess
import sys

from bench import checkout, datagen, oscar_compare

ROOT = checkout.ROOT
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def _last_json(command: list[str], env: dict):
    out = subprocess.run(  # noqa: S603  our own modules, fixed arguments
        command, cwd=ROOT, env=env, check=True, stdout=subprocess.PIPE, text=True
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def ours_once(dataset: dict, stripe_url: str) -> dict:
    env = {**checkout.inner_env(dataset, stripe_url), "BENCH_CHECKOUT_ORDERS": "0"}
    rows = _last_json([sys.executable, "-m", "bench.checkout"], env)
    figure = "checkout, HTTP basket → pay → thank-you"
    by_figure = {row["figure"]: row["value"] for row in rows}
    return {
        "ms_per_order": by_figure[f"{figure}: time per order"],
        "ms_without_stripe": by_figure[f"{figure}: time per order without waiting for Stripe"],
        "queries_per_order": by_figure[f"{figure}: SQL statements per order"],
        "writes_per_order": by_figure[f"{figure}: writes per order"],
    }


def oscar_once() -> dict:
    command = [sys.executable, "-W", "ignore", "-m", "bench.oscar_stock.checkout"]
    return _last_json(command, oscar_compare.oscar_env())


def rounds_run(dataset: dict, stripe_url: str, rounds: int) -> list[dict]:
    results = []
    for n in range(rounds):
        measured = {}
        for app in ("ours", "oscar") if n % 2 == 0 else ("oscar", "ours"):
            measured[app] = ours_once(dataset, stripe_url) if app == "ours" else oscar_once()
        results.append(measured)
        ratio = measured["ours"]["ms_per_order"] / measured["oscar"]["ms_per_order"]
        print(
            f"  round {n + 1}: ours {measured['ours']['ms_per_order']:.0f} ms"
            f" ({measured['ours']['ms_without_stripe']:.0f} without Stripe),"
            f" Oscar {measured['oscar']['ms_per_order']:.0f} ms: {ratio:.2f}",
            file=sys.stderr,
        )
        steps = ", ".join(f"{k} {v:.0f}" for k, v in measured["oscar"]["steps_ms"].items())
        print(f"    Oscar's steps, median ms: {steps}", file=sys.stderr)
    return results


def summary(results: list[dict]) -> list[dict]:
    def median(app: str, key: str) -> float:
        return statistics.median(r[app][key] for r in results)

    ours, ours_bare, oscar = (
        median("ours", "ms_per_order"),
        median("ours", "ms_without_stripe"),
        median("oscar", "ms_per_order"),
    )
    additions = statistics.median(
        r["oscar"]["steps_ms"]["two additions to the basket"] for r in results
    )
    per_round = ", ".join(
        f"{r['ours']['ms_per_order'] / r['oscar']['ms_per_order']:.2f}" for r in results
    )
    size = f"2,000 products (ours), 209 (Oscar); {checkout.HTTP_ORDERS} orders a round"
    row = {"unit": "ms", "size": size, "peak_memory_mb": ""}
    return [
        {
            **row,
            "figure": f"ours, checkout: time per order (median of {len(results)})",
            "value": ours,
        },
        {**row, "figure": "ours, checkout: without waiting for Stripe", "value": ours_bare},
        {**row, "figure": "Oscar, checkout: time per order", "value": oscar},
        {
            **row,
            "figure": "ours, checkout: SQL statements · writes per order",
            "value": f"{median('ours', 'queries_per_order'):.0f} · "
            f"{median('ours', 'writes_per_order'):.0f}",
            "unit": "",
        },
        {
            **row,
            "figure": "Oscar, checkout: SQL statements · writes per order",
            "value": f"{median('oscar', 'queries_per_order'):.0f} · "
            f"{median('oscar', 'writes_per_order'):.0f}",
            "unit": "",
        },
        {
            **row,
            "figure": f"ours ÷ Oscar, checkout time (rounds {per_round})",
            "value": ours / oscar,
            "unit": "× (target ≤ 0.33)",
        },
        {
            **row,
            "figure": "ours without Stripe ÷ Oscar, checkout time",
            "value": ours_bare / oscar,
            "unit": "×",
        },
        {
            **row,
            "figure": "Oscar, checkout: of its time, two additions to the basket",
            "value": additions,
        },
        {
            **row,
            "figure": "a third of Oscar's order, less Oscar's two additions",
            "value": oscar / 3 - additions,
        },
    ]


def run() -> list[dict]:
    oscar_compare.oscar_prepare()
    dataset = datagen.ensure(datagen.SIZES["small"])
    process, stripe_url = checkout.localstripe_start()
    try:
        results = rounds_run(dataset, stripe_url, ROUNDS)
    finally:
        process.terminate()
        process.wait(timeout=10)
    print(json.dumps({"rounds": results}), file=sys.stderr)
    return summary(results)


def main() -> int:
    from bench import run as bench_run

    if not bench_run.django_setup():
        return 1
    rows = run()
    print(bench_run.table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
