"""Benchmark: allocate 100,000 settled order lines to households on PostgreSQL.

Bulk-generated world: 50 cooperatives, each with 8 households (all produce suppliers, 3
wage workers with recorded work, 2 dividend holders) and 2 products, half of them with a
supply lot; 20,000 orders of 5 lines paid over 30 days (orders, lines and payment events
written with COPY). Figures:
- the batched service (1,000 payment events per call), the path a backlog or the
  rebuild takes, in lines/s and in ledger rows/s;
- the raw COPY rate of ledger-shaped rows in the same run: as many rows as the batched
  allocation wrote, with exactly the ledger's columns and values like its own, rendered
  beforehand and copied into a scratch table made LIKE the ledger (its indexes and
  checks, not its foreign keys); and the ratio allocation ÷ COPY (issue 25: at least 0.5);
- one payment event per call, the path each live settlement task takes;
- the rebuild comparison over everything allocated.

Everything runs inside one transaction that is rolled back: the database is left as found.
Foreign keys are checked at each statement (SET CONSTRAINTS ALL IMMEDIATE), as each
batch's commit would check them, so the figures include that work.
`run()` returns rows of {figure, value, unit, size, peak_memory_mb}.

`python -m bench.income_allocation [--small] [--profile]` runs this one benchmark and
prints its table: --small allocates 10,000 lines instead, --profile prints where the
batched allocation spends its time."""

import argparse
import cProfile
import datetime
import io
import os
import pstats
import random
import resource
import sys
import time
import tracemalloc
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from oscar.core.loading import get_model

from bench.world import cooperative_create
from marketplace.payment.events import PAID

COOPERATIVES = 50
HOUSEHOLDS = 8
ORDERS = 20_000
SMALL_ORDERS = 2_000
LINES_PER_ORDER = 5
BATCH = 1_000  # payment events per events_process call
SINGLE_ORDERS = 400  # orders allocated one event per call
SMALL_SINGLE_ORDERS = 100
DAYS = 30


class Rollback(Exception):
    pass


def _world(rng: random.Random):
    from producers import crypto
    from producers.income.models import SupplyLot, SupplyLotItem
    from producers.models import (
        BenefitLink,
        BenefitScheme,
        Household,
        Region,
        WageRecord,
    )

    ProductClass = get_model("catalogue", "ProductClass")
    Product = get_model("catalogue", "Product")
    tag = f"I{int(time.time()) % 100000:05d}"
    province = Region.objects.create(code=f"{tag}P", name="基准省", level=1, side="west")
    city = Region.objects.create(
        code=f"{tag}C", name="基准市", level=2, side="west", parent=province
    )
    county = Region.objects.create(code=f"{tag}X", name="基准县", level=3, side="west", parent=city)
    town = Region.objects.create(code=f"{tag}T", name="基准镇", level=4, side="west", parent=county)
    village = Region.objects.create(
        code=f"{tag}V", name="基准村", level=5, side="west", parent=town
    )
    product_class, _ = ProductClass.objects.get_or_create(name="扶贫产品")
    first_day = datetime.date(2026, 3, 1)
    products = []
    for c in range(COOPERATIVES):
        cooperative = cooperative_create(
            name=f"基准收益合作社{tag}{c}", number=f"{tag[1:]}{c:011d}", village=village
        )
        BenefitScheme.objects.create(
            cooperative=cooperative,
            effective_from=datetime.date(2025, 1, 1),
            produce_share=Decimal("0.3000"),
            wage_share=Decimal("0.1000"),
            dividend_share=Decimal("0.0500"),
        )
        households = []
        for h in range(HOUSEHOLDS):
            number = f"{tag}{c:04d}{h:04d}"
            household = Household(
                register_number=number,
                register_number_index=crypto.blind_index(number),
                head_name="张三",
                village=village,
                county=county,
                size=rng.randint(1, 6),
                status="poor",
                baseline_income_per_head=Decimal("4000.00"),
                registered_year=2016,
            )
            households.append(household)
        Household.objects.bulk_create(households)
        links = []
        for h, household in enumerate(households):
            start = datetime.date(2024, 1, 1)
            links.append(
                BenefitLink(
                    household=household,
                    cooperative=cooperative,
                    kind="produce_supply",
                    supply_share=Decimal(rng.randrange(50, 300)) / 100,
                    started_on=start,
                )
            )
            if h < 3:
                links.append(
                    BenefitLink(
                        household=household,
                        cooperative=cooperative,
                        kind="wage_labour",
                        started_on=start,
                    )
                )
            if h >= HOUSEHOLDS - 2:
                links.append(
                    BenefitLink(
                        household=household,
                        cooperative=cooperative,
                        kind="dividend",
                        equity_shares=Decimal(rng.randrange(20, 100) * 100),
                        started_on=start,
                    )
                )
        BenefitLink.objects.bulk_create(links)
        WageRecord.objects.bulk_create(
            WageRecord(
                link=link,
                period_start=datetime.date(2026, 1, 1),
                period_end=datetime.date(2026, 2, 28),
                days_worked=Decimal(rng.randrange(10, 50)),
                wages_paid=Decimal("3000.00"),
            )
            for link in links
            if link.kind == "wage_labour"
        )
        for p in range(2):
            product = Product.objects.create(
                title=f"基准产品{c}-{p}",
                product_class=product_class,
                structure="standalone",
                cooperative=cooperative,
            )
            products.append(product)
            if p == 0:
                lot = SupplyLot.objects.create(
                    cooperative=cooperative, product=product, supplied_on=first_day
                )
                SupplyLotItem.objects.bulk_create(
                    SupplyLotItem(lot=lot, household=hh, quantity=Decimal(rng.randrange(10, 500)))
                    for hh in households[:6]
                )
    return tag, products, first_day


def _next_ids(table: str, count: int) -> list[int]:
    """`count` fresh ids from the table's identity sequence, for rows written with COPY."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, count],
        )
        return [row[0] for row in cursor.fetchall()]


def lines_copy(raw, lines) -> None:
    """Order lines written with COPY, from (id, order id, title, quantity, unit price,
    product id, cooperative id): every price of the line follows from the unit price."""
    from bench.datagen import _copy

    _copy(
        raw,
        "order_line",
        ["id", "order_id", "partner_name", "partner_sku", "partner_line_reference"]
        + ["partner_line_notes", "title", "quantity", "num_allocated", "status"]
        + ["line_price_incl_tax", "line_price_excl_tax", "line_price_before_discounts_incl_tax"]
        + ["line_price_before_discounts_excl_tax", "unit_price_incl_tax", "unit_price_excl_tax"]
        + ["product_id", "cooperative_id", "allocation_cancelled"],
        (
            (pk, order_id, "基准", "B", "", "", title, qty, qty, "")
            + (price * qty,) * 4
            + (price, price, product_id, cooperative_id, False)
            for pk, order_id, title, qty, price, product_id, cooperative_id in lines
        ),
    )


def _orders(*, tag: str, rng: random.Random, products, first_day, count: int, offset: int):
    """`count` paid orders of LINES_PER_ORDER lines, written with COPY; returns their
    payment event ids."""
    from bench.datagen import _copy

    PaymentEventType = get_model("order", "PaymentEventType")
    paid, _ = PaymentEventType.objects.get_or_create(code=PAID, defaults={"name": "支付"})
    tz = timezone.get_current_timezone()
    order_ids = _next_ids("order_order", count)
    line_ids = _next_ids("order_line", count * LINES_PER_ORDER)
    event_ids = _next_ids("order_paymentevent", count)
    quantity_ids = _next_ids("order_paymenteventquantity", count * LINES_PER_ORDER)
    orders, lines, events, quantities = [], [], [], []
    for i, order_id in enumerate(order_ids):
        when = datetime.datetime.combine(
            first_day + datetime.timedelta(days=rng.randrange(DAYS)), datetime.time(12), tz
        )
        orders.append((order_id, f"{tag}-{offset + i}", when))
        paid_amount = Decimal("0.00")
        for n in range(LINES_PER_ORDER):
            j = i * LINES_PER_ORDER + n
            product = rng.choice(products)
            qty = rng.randint(1, 3)
            price = Decimal(rng.randrange(990, 19900)) / 100
            lines.append((line_ids[j], order_id, product, qty, price))
            quantities.append((quantity_ids[j], event_ids[i], line_ids[j], qty, price * qty))
            paid_amount += price * qty
        # The event moves the money of its lines (the database refuses a ¥0 payment).
        events.append((event_ids[i], order_id, paid_amount, when))
    raw = connection.connection  # the psycopg connection, inside Django's transaction
    _copy(
        raw,
        "order_order",
        ["id", "number", "currency", "total_incl_tax", "total_excl_tax"]
        + ["shipping_incl_tax", "shipping_excl_tax", "shipping_method", "shipping_code"]
        + ["status", "guest_email", "date_placed", "analytics_tracked"],
        (
            (pk, number, "CNY", 0, 0, 0, 0, "", "", "Paid", "", when, False)
            for pk, number, when in orders
        ),
    )
    lines_copy(
        raw,
        (
            (pk, order_id, product.title, qty, price, product.pk, product.cooperative_id)
            for pk, order_id, product, qty, price in lines
        ),
    )
    _copy(
        raw,
        "order_paymentevent",
        ["id", "order_id", "amount", "reference", "date_created", "event_type_id"],
        ((pk, order_id, amount, "", when, paid.pk) for pk, order_id, amount, when in events),
    )
    _copy(
        raw,
        "order_paymenteventquantity",
        ["id", "event_id", "line_id", "quantity", "amount"],
        quantities,
    )
    return event_ids


def _copy_baseline(*, event_ids: list[int], count: int) -> dict[str, tuple]:
    """Seconds, rows and server CPU seconds (None if not measurable) to COPY `count`
    ledger-shaped rows (those an allocation of the events' lines would write: each line's
    cooperative, households, scheme, event and day), rendered beforehand, into a scratch
    table LIKE the ledger: "indexed" with its indexes, checks and identity (what the ledger
    itself must maintain), "bare" with its columns and identity only. The database's own
    rate, the ceiling an allocation that writes with COPY can approach. The tables are
    dropped (and would go with the rollback anyway)."""

    from producers.models import BenefitLink, BenefitScheme

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT q.event_id, q.line_id, l.cooperative_id, e.date_created::date"
            " FROM order_paymenteventquantity q JOIN order_line l ON l.id = q.line_id"
            " JOIN order_paymentevent e ON e.id = q.event_id"
            " WHERE q.event_id = ANY(%s) ORDER BY q.event_id, q.line_id",
            [event_ids],
        )
        lines = cursor.fetchall()
    cooperatives = {c for _e, _l, c, _d in lines}
    people = {}
    for cooperative_id, household_id, kind in (
        BenefitLink.objects.filter(cooperative_id__in=cooperatives)
        .order_by("household_id", "kind")
        .values_list("cooperative_id", "household_id", "kind")
    ):
        people.setdefault(cooperative_id, []).append((household_id, kind))
    schemes = dict(
        BenefitScheme.objects.filter(cooperative_id__in=cooperatives).values_list(
            "cooperative_id", "id"
        )
    )
    now = timezone.now().isoformat()
    rendered, n = [], 0
    while n < count:  # the events' lines again if the allocation wrote more rows
        for event_id, line_id, cooperative_id, day in lines:
            scheme = schemes[cooperative_id]
            parts = [*people[cooperative_id], ("\\N", "cooperative_retained")]
            for i, (household, kind) in enumerate(parts):
                amount = f"{(line_id * 7 + i * 13) % 9000 / 100 + 0.01:.2f}"
                rendered.append(
                    f"{household}\t{cooperative_id}\t{line_id}\t{kind}\t{amount}\t{scheme}"
                    f"\t{event_id}\t{day}\t{now}\n"
                )
            n += len(parts)
            if n >= count:
                break
    del rendered[count:]
    chunks = ["".join(rendered[i : i + 16_384]) for i in range(0, len(rendered), 16_384)]
    del rendered
    columns = "household_id, cooperative_id, line_id, kind, amount, scheme_id"
    columns += ", payment_event_id, booked_on, created_at"
    out = {}
    server_cpu = _server_cpu()
    for name, like in (("bare", "INCLUDING IDENTITY"), ("indexed", "INCLUDING ALL")):
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TABLE bench_ledger_copy (LIKE income_ledgerentry {like})")
            server_start = server_cpu() if server_cpu else 0.0
            start = time.perf_counter()
            with cursor.cursor.copy(f"COPY bench_ledger_copy ({columns}) FROM STDIN") as copy:
                for chunk in chunks:
                    copy.write(chunk)
            seconds = time.perf_counter() - start
            server = server_cpu() - server_start if server_cpu else None
            cursor.execute("SELECT count(*) FROM bench_ledger_copy")
            out[name] = (seconds, cursor.fetchone()[0], server)
            cursor.execute("DROP TABLE bench_ledger_copy")
    return out


def _traced_peak(fn) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load {one:.1f}/{five:.1f}/{fifteen:.1f} on {os.cpu_count()} CPUs"


def _server_cpu():
    """A function returning the CPU seconds this connection's PostgreSQL backend has used,
    or None if the server is not on this machine (read from /proc)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        stat = f"/proc/{cursor.fetchone()[0]}/stat"
    if not os.access(stat, os.R_OK):
        return None

    def seconds() -> float:
        with open(stat) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime

    return seconds


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def run(*, small: bool = False, profile: bool = False) -> list[dict]:
    from producers.income.models import LedgerEntry
    from producers.income.services import events_process
    from producers.income.services.rebuild import ledger_rebuild_compare

    if connection.vendor != "postgresql":
        raise RuntimeError("The income benchmark runs on PostgreSQL (set DATABASE_URL).")
    orders = SMALL_ORDERS if small else ORDERS
    single_orders = SMALL_SINGLE_ORDERS if small else SINGLE_ORDERS
    rng = random.Random(2020)  # noqa: S311  benchmark data
    rows: list[dict] = []
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:  # check foreign keys as each commit would
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            start = time.perf_counter()
            tag, products, first_day = _world(rng)
            common = {"tag": tag, "rng": rng, "products": products, "first_day": first_day}
            batch_ids = _orders(count=orders, offset=0, **common)
            peak_ids = _orders(count=BATCH, offset=orders, **common)
            single_ids = _orders(count=single_orders, offset=orders + BATCH, **common)
            print(f"  data generated in {time.perf_counter() - start:.1f} s", file=sys.stderr)
            lines = len(batch_ids) * LINES_PER_ORDER
            entries_before = LedgerEntry.objects.count()

            profiler = cProfile.Profile() if profile else None
            load_before = _load()
            server_cpu = _server_cpu()
            server_start = server_cpu() if server_cpu else 0.0
            client_start = time.process_time()
            start = time.perf_counter()
            if profiler:
                profiler.enable()
            for i in range(0, len(batch_ids), BATCH):
                events_process(payment_event_ids=batch_ids[i : i + BATCH])
            if profiler:
                profiler.disable()
            batched = time.perf_counter() - start
            client = time.process_time() - client_start
            server = server_cpu() - server_start if server_cpu else None
            load_after = _load()
            entries = LedgerEntry.objects.count() - entries_before
            copies = _copy_baseline(event_ids=batch_ids, count=entries)
            copy_load = _load()
            peak = _traced_peak(lambda: events_process(payment_event_ids=peak_ids))
            print(
                f"  batched: {lines:,} lines in {batched:.1f} s; {load_before} before, "
                f"{load_after} after",
                file=sys.stderr,
            )
            rows.append(
                {
                    "figure": f"income allocation, batched ({BATCH:,} events per call)",
                    "value": lines / batched,
                    "unit": "lines/s",
                    "size": f"{lines:,} lines, {entries:,} ledger entries; {load_after}",
                    "peak_memory_mb": f"{peak:.1f} per batch, {_rss_mb():.0f} process",
                }
            )
            rows.append(
                {
                    "figure": "  the same, in ledger rows",
                    "value": entries / batched,
                    "unit": "rows/s",
                    "size": f"{entries / lines:.1f} ledger rows a line",
                    "peak_memory_mb": "",
                }
            )
            for name, what in (
                ("indexed", "its indexes and checks"),
                ("bare", "its columns only, no index"),
            ):
                copy_seconds, copied, copy_server = copies[name]
                cpu = "" if copy_server is None else f", server {copy_server:.1f} s CPU"
                rows.append(
                    {
                        "figure": f"raw COPY of ledger-shaped rows, {name} (same run)",
                        "value": copied / copy_seconds,
                        "unit": "rows/s",
                        "size": f"{copied:,} rows into a table LIKE the ledger, {what}{cpu}; "
                        + copy_load,
                        "peak_memory_mb": "",
                    }
                )
                rows.append(
                    {
                        "figure": f"  allocation ÷ COPY {name} (target ≥ 0.5)",
                        "value": f"{(entries / batched) / (copied / copy_seconds):.2f}",
                        "unit": "ratio",
                        "size": "",
                        "peak_memory_mb": "",
                    }
                )
            if server is not None:
                # Load-independent: the figure on an idle machine, the client and the
                # server working one after the other (as they mostly do).
                rows.append(
                    {
                        "figure": "  the same, per CPU second (client + server)",
                        "value": lines / (client + server),
                        "unit": "lines/CPU-s",
                        "size": f"client {client:.1f} s, server {server:.1f} s CPU",
                        "peak_memory_mb": "",
                    }
                )
            if profiler:
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
                print(out.getvalue(), file=sys.stderr)

            start = time.perf_counter()
            for event_id in single_ids:
                events_process(payment_event_ids=[event_id])
            single = time.perf_counter() - start
            single_lines = len(single_ids) * LINES_PER_ORDER
            rows.append(
                {
                    "figure": "income allocation, one event per task",
                    "value": single_lines / single,
                    "unit": "lines/s",
                    "size": f"{single_lines:,} lines; {_load()}",
                    "peak_memory_mb": "",
                }
            )

            total_lines = (len(batch_ids) + len(peak_ids) + len(single_ids)) * LINES_PER_ORDER
            start = time.perf_counter()
            report = ledger_rebuild_compare()
            rebuild = time.perf_counter() - start
            if report.differences:
                raise RuntimeError(f"rebuild found {len(report.differences)} differences")
            rows.append(
                {
                    "figure": "income ledger rebuild and compare",
                    "value": total_lines / rebuild,
                    "unit": "lines/s",
                    "size": f"{report.orders:,} orders, zero difference",
                    "peak_memory_mb": f"{_rss_mb():.0f} process",
                }
            )
            raise Rollback
    except Rollback:
        pass
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--small", action="store_true", help="10,000 lines instead of 100,000")
    parser.add_argument("--profile", action="store_true", help="profile the batched allocation")
    args = parser.parse_args()
    from bench.run import django_setup, table

    if not django_setup():
        return 2
    print(table(run(small=args.small, profile=args.profile)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
