"""Benchmark: rebuild purchase facts from 100,000 settled order lines on PostgreSQL.

Bulk-generated world: two eastern and two western provinces with their cities and
counties, five pairings (province, city and county level, one designated unit, one
expired) with agreements and four indicators, 24 cooperatives with 120 products whose
certificates cover most sales (some start mid-year, some are revoked mid-year, some are
suspended or missing); about 25,000 orders of 1 to 7 lines, a third bought by
organisations and the rest by consumers shipping to mapped, partly mapped and unmapped
addresses, some through eastern partners' channels, a few refunded (by units, or by an
amount the store splits over the lines, as for a refund made in Stripe's dashboard), a
few sold in a locked year. Orders, lines, addresses and payment events
are written with COPY. Figures:
- `evaluation_rebuild()` with no facts yet: every fact created;
- `evaluation_rebuild()` again: every fact checked, nothing differs;
- `evaluation_rebuild(year=YEAR)`: the open year alone checked (its partition of the facts).
Times are taken without tracemalloc; peak memory is a separate traced run of each.

Everything runs inside one transaction that is rolled back: the database is left as found.
Foreign keys are checked at each statement (SET CONSTRAINTS ALL IMMEDIATE), as a commit
would check them. Payment events already in the database are rebuilt too (the rate counts
every fact checked). `run()` returns rows of {figure, value, unit, size, peak_memory_mb}.

`python -m bench.evaluation_rebuild [--lines N | --small] [--profile] [--no-memory]`
runs this one benchmark and prints its table: --small rebuilds 10,000 lines, --profile
prints where each rebuild spends its time (Python and SQL)."""

import argparse
import cProfile
import datetime
import io
import pstats
import random
import sys
import time
import tracemalloc
from collections import defaultdict
from decimal import Decimal
from types import SimpleNamespace

from django.db import connection, transaction
from oscar.core.loading import get_model

from bench.world import agreements_create, cooperative_create, indicators_create
from marketplace.payment.events import PAID, REFUND

LINES = 100_000
SMALL_LINES = 10_000
YEAR = 2090  # a year no real data uses; YEAR - 1 is locked
COOPERATIVES_PER_COUNTY = 3
PRODUCTS_PER_COOPERATIVE = 5
ORGANISATIONS = 12


class Rollback(Exception):
    pass


def _world(rng: random.Random) -> dict:
    """Regions, pairings with agreements and indicators, organisations, channels,
    cooperatives and products with their certificates."""
    from evaluation.models import DesignatedBuyer, EvaluationYear, Pairing
    from marketplace.organisations.models import Organisation
    from producers.models import Region

    Product = get_model("catalogue", "Product")
    ProductClass = get_model("catalogue", "ProductClass")
    ProductCertificate = get_model("catalogue", "ProductCertificate")
    CertificateEvent = get_model("catalogue", "CertificateEvent")
    SalesChannel = get_model("order", "SalesChannel")

    tag = f"R{int(time.time()) % 100000:05d}"
    east_cities, counties = {}, {}
    east_provinces, west_provinces, west_cities = [], [], []
    for p in range(2):
        east = Region.objects.create(code=f"{tag}E{p}", name=f"东{tag}{p}省", level=1, side="east")
        east_provinces.append(east)
        for c in range(3):
            east_cities[(p, c)] = Region.objects.create(
                code=f"{tag}E{p}{c}", name=f"东{tag}{p}{c}市", level=2, side="east", parent=east
            )
        west = Region.objects.create(code=f"{tag}W{p}", name=f"西{tag}{p}省", level=1, side="west")
        west_provinces.append(west)
        for c in range(2):
            city = Region.objects.create(
                code=f"{tag}W{p}{c}", name=f"西{tag}{p}{c}州", level=2, side="west", parent=west
            )
            west_cities.append(city)
            for x in range(2):
                counties[(p, c, x)] = Region.objects.create(
                    code=f"{tag}X{p}{c}{x}",
                    name=f"西{tag}{p}{c}{x}县",
                    level=3,
                    side="west",
                    parent=city,
                    is_poor_county=True,
                    is_deep_poverty=x == 0,
                    is_supervision_target=(p + c + x) % 3 == 0,
                    exit_year=2019 + x,
                )
    organisations = [
        Organisation.objects.create(
            name=f"基准采购单位{tag}{i}",
            kind="budget_unit",
            credit_code=f"13{tag[1:]}{i:011d}"[:18],
            # Most units sit in a city, some in a province only.
            home_region=east_cities[(i % 2, i % 3)] if i % 4 else east_provinces[i % 2],
        )
        for i in range(ORGANISATIONS)
    ]
    designated_unit = organisations[0]
    pairings = [
        Pairing(kind="east_west", east_region=east_provinces[0], west_region=west_provinces[0]),
        Pairing(kind="east_west", east_region=east_cities[(0, 1)], west_region=west_cities[1]),
        Pairing(kind="east_west", east_region=east_provinces[1], west_region=west_provinces[1]),
        Pairing(kind="east_west", east_region=east_cities[(1, 2)], west_region=counties[1, 1, 0]),
        Pairing(
            kind="designated",
            assisting_unit=designated_unit.name,
            west_region=counties[(1, 0, 1)],
        ),
    ]
    for pairing in pairings:
        pairing.start_year = YEAR - 10
    expired = Pairing(
        kind="east_west",
        east_region=east_provinces[0],
        west_region=west_provinces[1],
        start_year=YEAR - 10,
        end_year=YEAR - 5,
    )
    Pairing.objects.bulk_create([*pairings, expired])
    DesignatedBuyer.objects.create(pairing=pairings[-1], organisation=designated_unit)
    agreements_create(pairings=pairings, year=YEAR, bought="2000000", helped="500000", products=20)
    indicators_create(year=YEAR, codes=["bought", "helped", "products", "deep"])
    EvaluationYear.objects.update_or_create(
        year=YEAR - 1, defaults={"locked_at": datetime.datetime(YEAR, 1, 10, tzinfo=datetime.UTC)}
    )
    channels = [
        SalesChannel.objects.create(
            code=f"{tag.lower()}-zone-{i}", name=f"基准专区{i}", region=region, organisation=org
        )
        for i, (region, org) in enumerate(
            [
                (east_cities[(0, 1)], None),
                (None, organisations[3]),  # a unit's channel: its home region counts
                (east_cities[(1, 2)], None),
            ]
        )
    ]

    product_class, _ = ProductClass.objects.get_or_create(name="扶贫产品")
    products, certificates, revoked = [], [], []
    for n, ((p, c, x), county) in enumerate(sorted(counties.items())):
        township = Region.objects.create(
            code=f"{tag}T{p}{c}{x}", name="乡", level=4, side="west", parent=county
        )
        village = Region.objects.create(
            code=f"{tag}V{p}{c}{x}", name="村", level=5, side="west", parent=township
        )
        for k in range(COOPERATIVES_PER_COUNTY):
            i = n * COOPERATIVES_PER_COUNTY + k
            cooperative = cooperative_create(
                name=f"基准认定合作社{tag}{i}", number=f"{tag[1:]}{i:011d}", village=village
            )
            for j in range(PRODUCTS_PER_COOPERATIVE):
                product = Product.objects.create(
                    title=f"基准扶贫产品{i}-{j}",
                    product_class=product_class,
                    structure="standalone",
                    cooperative=cooperative,
                )
                products.append(product)
                kind = rng.random()
                valid_from, valid_to = datetime.date(YEAR - 2, 1, 1), datetime.date(YEAR, 12, 31)
                state = "certified"
                if kind < 0.05:
                    continue  # never certified
                if kind < 0.10:
                    valid_from = datetime.date(YEAR, 7, 1)  # certified mid-year
                elif kind < 0.15:
                    state = "suspended"
                certificate = ProductCertificate(
                    product=product,
                    state=state,
                    number=f"{tag}-{product.pk}",
                    valid_from=valid_from,
                    valid_to=valid_to,
                )
                certificates.append(certificate)
                if 0.15 <= kind < 0.25:
                    revoked.append(certificate)
    ProductCertificate.objects.bulk_create(certificates)
    events = []
    for certificate in revoked:  # certified on paper, revoked in June
        events.append(
            CertificateEvent(certificate=certificate, from_state="", to_state="certified")
        )
        events.append(
            CertificateEvent(certificate=certificate, from_state="certified", to_state="revoked")
        )
    CertificateEvent.objects.bulk_create(events)
    for event in events:
        if event.to_state == "revoked":
            event.created_at = datetime.datetime(YEAR, 6, 1, tzinfo=datetime.UTC)
        else:
            event.created_at = datetime.datetime(YEAR - 2, 1, 1, tzinfo=datetime.UTC)
    CertificateEvent.objects.bulk_update(events, ["created_at"])
    ProductCertificate.objects.filter(pk__in=[c.pk for c in revoked]).update(state="revoked")
    return {
        "tag": tag,
        "products": products,
        "organisations": organisations,
        "channels": channels,
        "addresses": [
            *[(f"东{tag}{p}省", f"东{tag}{p}{c}市") for p, c in east_cities],
            *[(f"东{tag}{p}", f"东{tag}{p}{c}") for p, c in east_cities],  # no suffixes
            (f"东{tag}0省", "不存在市"),  # city unknown: the province counts
            ("火星省", "某市"),  # province unknown: no region
        ],
    }


def _orders(*, world: dict, rng: random.Random, lines_wanted: int) -> dict:
    """Paid orders with `lines_wanted` lines in all, a few refunded; written with COPY."""
    from bench.datagen import _copy
    from bench.income_allocation import _next_ids, lines_copy
    from marketplace.payment.services.settlement import refund_amount_split

    PaymentEventType = get_model("order", "PaymentEventType")
    Country = get_model("address", "Country")
    paid, _ = PaymentEventType.objects.get_or_create(code=PAID, defaults={"name": "支付"})
    refund, _ = PaymentEventType.objects.get_or_create(code=REFUND, defaults={"name": "退款"})
    country, _ = Country.objects.get_or_create(
        iso_3166_1_a2="CN", defaults={"name": "中国", "printable_name": "中国"}
    )
    tag, products = world["tag"], world["products"]
    tz = datetime.timezone(datetime.timedelta(hours=8))
    first_day = datetime.date(YEAR, 1, 1)

    sizes = []
    while sum(sizes) < lines_wanted:
        sizes.append(min(rng.randint(1, 7), lines_wanted - sum(sizes)))
    count = len(sizes)
    order_ids = iter(_next_ids("order_order", count))
    line_ids = iter(_next_ids("order_line", lines_wanted))
    address_ids = iter(_next_ids("order_shippingaddress", count))
    event_ids = iter(_next_ids("order_paymentevent", count + count // 50))
    # Each refund names at most an order's seven lines.
    quantity_ids = iter(_next_ids("order_paymenteventquantity", lines_wanted + count // 50 * 7))
    orders, addresses, lines, events, quantities = [], [], [], [], []
    refunds = 0
    for i, size in enumerate(sizes):
        order_id = next(order_ids)
        if rng.random() < 0.03:  # sold in the locked year: an adjustment of YEAR
            day = datetime.date(YEAR - 1, 12, rng.randint(1, 31))
        else:
            day = first_day + datetime.timedelta(days=rng.randrange(365))
        when = datetime.datetime.combine(day, datetime.time(rng.randrange(24), 0), tz)
        organisation_id = address_id = channel_id = None
        if rng.random() < 0.3:
            organisation_id = rng.choice(world["organisations"]).pk
        if organisation_id is None or rng.random() < 0.5:
            if rng.random() < 0.98:
                address_id = next(address_ids)
                state, city = rng.choice(world["addresses"])
                addresses.append((address_id, state, city))
        if rng.random() < 0.15:
            channel_id = rng.choice(world["channels"]).pk
        order_lines, total = [], Decimal("0.00")
        for _n in range(size):
            product = rng.choice(products)
            qty = rng.randint(1, 3)
            price = Decimal(rng.randrange(990, 19900)) / 100
            product_id, cooperative_id = product.pk, product.cooperative_id
            kind = rng.random()
            if kind < 0.005:
                product_id = None  # the product was deleted since
            elif kind < 0.05:
                cooperative_id = None  # an older line: the product's cooperative counts
            line_id = next(line_ids)
            order_lines.append((line_id, price, qty))
            lines.append((line_id, order_id, product, product_id, cooperative_id, qty, price))
            total += price * qty
        orders.append(
            (order_id, f"{tag}-{i}", when, total, organisation_id, channel_id, address_id)
        )
        event_id = next(event_ids)
        events.append((event_id, order_id, total, when, paid.pk))
        for line_id, price, qty in order_lines:
            quantities.append((next(quantity_ids), event_id, line_id, qty, price * qty))
        if i % 100 == 7 and refunds < count // 50:  # 1%: a unit refunded, or an amount only
            refunds += 1
            event_id = next(event_ids)
            refunded_at = when + datetime.timedelta(days=rng.randint(1, 20))
            if refunds % 2:
                line_id, price, _qty = order_lines[0]
                events.append((event_id, order_id, price, refunded_at, refund.pk))
                quantities.append((next(quantity_ids), event_id, line_id, 1, price))
            else:
                amount = (total / 3).quantize(Decimal("0.01"))
                events.append((event_id, order_id, amount, refunded_at, refund.pk))
                # Made in Stripe's dashboard: the store names every line with 0 units and
                # its share of the amount, as refund_amount_split decides it.
                every = {
                    line_id: SimpleNamespace(pk=line_id, line_price_incl_tax=price * qty)
                    for line_id, price, qty in order_lines
                }
                for line, units, money in refund_amount_split(lines=every, amount=amount, done={}):
                    quantities.append((next(quantity_ids), event_id, line.pk, units, money))

    raw = connection.connection  # the psycopg connection, inside Django's transaction
    _copy(
        raw,
        "order_shippingaddress",
        ["id", "title", "first_name", "last_name", "line1", "line2", "line3", "line4"]
        + ["state", "postcode", "search_text", "phone_number", "notes", "country_id"],
        (
            (pk, "", "", "张三", "某路 1 号", "", "某区", city, state, "310000", "", "", "", "CN")
            for pk, state, city in addresses
        ),
    )
    _copy(
        raw,
        "order_order",
        ["id", "number", "currency", "total_incl_tax", "total_excl_tax"]
        + ["shipping_incl_tax", "shipping_excl_tax", "shipping_method", "shipping_code"]
        + ["status", "guest_email", "date_placed", "analytics_tracked"]
        + ["organisation_id", "sales_channel_id", "shipping_address_id"],
        (
            (pk, number, "CNY", total, total, 0, 0, "", "", "Paid", "", when, False, org, ch, ad)
            for pk, number, when, total, org, ch, ad in orders
        ),
    )
    lines_copy(
        raw,
        (
            (pk, order_id, product.title, qty, price, product_id, cooperative_id)
            for pk, order_id, product, product_id, cooperative_id, qty, price in lines
        ),
    )
    _copy(
        raw,
        "order_paymentevent",
        ["id", "order_id", "amount", "reference", "date_created", "event_type_id"],
        ((pk, order_id, amount, "", when, kind) for pk, order_id, amount, when, kind in events),
    )
    _copy(
        raw,
        "order_paymenteventquantity",
        ["id", "event_id", "line_id", "quantity", "amount"],
        quantities,
    )
    with connection.cursor() as cursor:  # statistics, as a live database would have
        for table in (
            "order_order",
            "order_line",
            "order_shippingaddress",
            "order_paymentevent",
            "order_paymenteventquantity",
        ):
            cursor.execute(f"ANALYZE {table}")
    return {"orders": count, "lines": len(lines), "events": len(events), "refunds": refunds}


class _SqlTimer:
    """connection.execute_wrapper recording time per statement shape."""

    def __init__(self):
        self.seconds: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)

    def __call__(self, execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            key = " ".join(sql.split())[:110]
            self.seconds[key] += time.perf_counter() - start
            self.calls[key] += 1

    def report(self, top: int = 10) -> str:
        total = sum(self.seconds.values())
        lines = [f"SQL: {sum(self.calls.values()):,} statements, {total:.2f} s (client wall)"]
        for key, seconds in sorted(self.seconds.items(), key=lambda kv: -kv[1])[:top]:
            lines.append(f"  {seconds:7.2f} s {self.calls[key]:7,}×  {key}")
        return "\n".join(lines)


def _timed(fn, *, profile: bool, label: str):
    """(result, wall seconds, client CPU seconds, server CPU seconds or None)."""
    from bench.income_allocation import _server_cpu

    profiler = cProfile.Profile() if profile else None
    timer = _SqlTimer() if profile else None
    server_cpu = _server_cpu()
    server_start = server_cpu() if server_cpu else 0.0
    client_start = time.process_time()
    start = time.perf_counter()
    if profiler:
        with connection.execute_wrapper(timer):
            profiler.enable()
            result = fn()
            profiler.disable()
    else:
        result = fn()
    wall = time.perf_counter() - start
    client = time.process_time() - client_start
    server = server_cpu() - server_start if server_cpu else None
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
        print(f"--- profile: {label} ({wall:.1f} s under the profiler)", file=sys.stderr)
        print(out.getvalue(), file=sys.stderr)
        print(timer.report(), file=sys.stderr)
    return result, wall, client, server


def _traced_peak(fn) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def run(*, lines: int = LINES, profile: bool = False, memory: bool = True) -> list[dict]:
    from bench.income_allocation import _load, _rss_mb
    from evaluation.models import PurchaseFact
    from evaluation.services.rebuild import evaluation_rebuild

    if connection.vendor != "postgresql":
        raise RuntimeError("The rebuild benchmark runs on PostgreSQL (set DATABASE_URL).")
    rng = random.Random(2090)  # noqa: S311  benchmark data
    rows: list[dict] = []
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:  # check foreign keys as each commit would
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            start = time.perf_counter()
            world = _world(rng)
            made = _orders(world=world, rng=rng, lines_wanted=lines)
            print(f"  data generated in {time.perf_counter() - start:.1f} s", file=sys.stderr)
            PurchaseFact.objects.all().delete()  # "from no facts", whatever the database held
            no_facts = transaction.savepoint()

            created, wall, client, server = _timed(
                evaluation_rebuild, profile=profile, label="rebuild creating every fact"
            )
            load = _load()
            facts = created.facts_checked
            if len(created.created) != facts:
                raise RuntimeError("the first rebuild did not create every fact")
            size = (
                f"{made['lines']:,} lines, {made['orders']:,} orders, "
                f"{made['refunds']:,} refunds, {facts:,} facts; {load}"
            )
            cpu = f"client {client:.1f} s" + (f", server {server:.1f} s CPU" if server else "")
            rows.append(
                {
                    "figure": "evaluation rebuild, creating every fact",
                    "value": facts / wall,
                    "unit": "lines/s",
                    "size": f"{size}; {cpu}",
                    "peak_memory_mb": "",
                }
            )
            checked, wall, client, server = _timed(
                evaluation_rebuild, profile=profile, label="rebuild checking every fact"
            )
            if checked.differences:
                raise RuntimeError(f"the second rebuild found {checked.differences} differences")
            cpu = f"client {client:.1f} s" + (f", server {server:.1f} s CPU" if server else "")
            rows.append(
                {
                    "figure": "evaluation rebuild, checking (nothing differs)",
                    "value": checked.facts_checked / wall,
                    "unit": "lines/s",
                    "size": f"{checked.facts_checked:,} facts; {_load()}; {cpu}",
                    "peak_memory_mb": "",
                }
            )
            one_year, wall, client, server = _timed(
                lambda: evaluation_rebuild(year=YEAR), profile=profile, label="one year's rebuild"
            )
            if one_year.differences:
                raise RuntimeError(f"the year's rebuild found {one_year.differences} differences")
            cpu = f"client {client:.1f} s" + (f", server {server:.1f} s CPU" if server else "")
            rows.append(
                {
                    "figure": f"evaluation rebuild of {YEAR} alone, checking",
                    "value": one_year.facts_checked / wall,
                    "unit": "lines/s",
                    "size": f"{one_year.facts_checked:,} facts of {YEAR}; {_load()}; {cpu}",
                    "peak_memory_mb": "",
                }
            )
            if memory:
                rows[1]["peak_memory_mb"] = f"{_traced_peak(evaluation_rebuild):.1f} traced"
                transaction.savepoint_rollback(no_facts)
                peak = _traced_peak(evaluation_rebuild)
                rows[0]["peak_memory_mb"] = f"{peak:.1f} traced, {_rss_mb():.0f} process"
            raise Rollback
    except Rollback:
        pass
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--lines", type=int, default=LINES, help="order lines (100,000)")
    parser.add_argument("--small", action="store_true", help=f"{SMALL_LINES:,} lines")
    parser.add_argument("--profile", action="store_true", help="profile both rebuilds")
    parser.add_argument("--no-memory", action="store_true", help="skip the traced runs")
    args = parser.parse_args()
    from bench.run import django_setup, table

    if not django_setup():
        return 2
    lines = SMALL_LINES if args.small else args.lines
    rows = run(lines=lines, profile=args.profile, memory=not args.no_memory)
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
