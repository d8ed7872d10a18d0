"""Benchmark: rebuild a year's scorecards from 1,000,000 purchase facts on PostgreSQL,
against a plain SQL GROUP BY over the same facts in the same run, and the incremental
update for one settled order (its facts written, its pairing's scorecard refreshed).

Everything runs inside one transaction that is rolled back: the database is left as found.
`run()` returns rows of {figure, value, unit, size, peak_memory_mb}."""

import datetime
import statistics
import time
import tracemalloc
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from oscar.core.loading import get_model

from bench.world import cooperative_create, indicators_create, pairings_fill, regions_fill
from marketplace.payment.events import PAID

FACTS = 1_000_000
YEAR = 2090  # a year no real data uses: the run adds its own indicators
PAIRINGS = 8
EVENTS = 1000  # facts are keyed (payment event, line): EVENTS × LINES distinct keys
LINES = FACTS // EVENTS
REPEAT = 3
INCREMENTAL_ORDERS = 50
# Settlements before the clock starts: a worker's first few pay for warming caches
# (statement preparation after psycopg's fifth use, Django's lazy set-up); a Celery worker
# runs thousands, so the steady state is what a settlement costs.
WARM_UP_ORDERS = 5
HOUSEHOLDS = 12  # per cooperative


class Rollback(Exception):
    pass


def _measure(fn, repeat: int = REPEAT, before=None) -> tuple[float, float]:
    """Median seconds of `repeat` runs, then the peak traced memory (MB) of one more run:
    tracing slows Python several times, so it never runs while the clock does. With
    `before`, each run starts with it (off the clock) in a savepoint rolled back after the
    run: every run then starts from the same rows, not from the row versions the runs
    before it left in the benchmark's one transaction."""
    times = []
    for _ in range(repeat):
        with transaction.atomic():
            if before is not None:
                before()
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
            transaction.set_rollback(before is not None)
    with transaction.atomic():
        if before is not None:
            before()
        tracemalloc.start()
        try:
            fn()
            peak = tracemalloc.get_traced_memory()[1] / 1e6
        finally:
            tracemalloc.stop()
        transaction.set_rollback(before is not None)
    return statistics.median(times), peak


def _world():
    """Regions, pairings with agreements and indicators, one product of each western
    county, and the order, lines and payment events the bulk facts point to."""
    from evaluation.models import Agreement, Pairing
    from marketplace.organisations.models import Organisation
    from producers.models import Region

    tag = f"B{int(time.time()) % 100000:05d}"
    province_e = Region.objects.create(code=f"{tag}E", name="基准东部省", level=1, side="east")
    province_w = Region.objects.create(code=f"{tag}W", name="基准西部省", level=1, side="west")
    pairings, counties, buyers = [], [], []
    for i in range(PAIRINGS):
        east = Region.objects.create(
            code=f"{tag}E{i}", name=f"基准东部市{i}", level=2, side="east", parent=province_e
        )
        city = Region.objects.create(
            code=f"{tag}W{i}", name=f"基准西部州{i}", level=2, side="west", parent=province_w
        )
        county = Region.objects.create(
            code=f"{tag}C{i}",
            name=f"基准县{i}",
            level=3,
            side="west",
            parent=city,
            is_poor_county=True,
            is_deep_poverty=i % 2 == 0,
            exit_year=2020,
        )
        township = Region.objects.create(
            code=f"{tag}T{i}", name="乡", level=4, side="west", parent=county
        )
        village = Region.objects.create(
            code=f"{tag}V{i}", name="村", level=5, side="west", parent=township
        )
        pairing = Pairing.objects.create(
            kind="east_west", east_region=east, west_region=city, start_year=2016
        )
        Agreement.objects.create(
            pairing=pairing,
            year=YEAR,
            target_bought=Decimal("50000000"),
            target_helped=Decimal("10000000"),
            target_households=100,
            target_certified_products=5,
        )
        pairings.append(pairing)
        counties.append((county, village))
        buyers.append(
            Organisation.objects.create(
                name=f"基准单位{i}",
                kind="budget_unit",
                credit_code=f"12{tag[1:]}{i:011d}"[:18],
                home_region=east,
            )
        )
    indicators_create(year=YEAR, codes=["bought", "helped", "products", "deep", "households"])
    cooperatives = []
    for i, (county, village) in enumerate(counties):
        cooperative = cooperative_create(
            name=f"基准合作社{tag}{i}", number=f"{tag[1:]}{i:011d}", village=village
        )
        _linked_households(tag=tag, cooperative=cooperative, county=county, village=village)
        cooperatives.append(cooperative)
    return tag, pairings, counties, cooperatives, buyers


def _linked_households(*, tag: str, cooperative, county, village) -> None:
    """A scheme paying 12 supplying households, so that settled orders reach households
    and the households indicator has ledger entries to count."""
    from producers import crypto
    from producers.models import BenefitLink, BenefitScheme, Household

    BenefitScheme.objects.create(
        cooperative=cooperative,
        effective_from=datetime.date(YEAR - 1, 1, 1),
        produce_share=Decimal("0.3000"),
        wage_share=Decimal("0"),
        dividend_share=Decimal("0"),
    )
    households = Household.objects.bulk_create(
        Household(
            register_number=f"{tag}{cooperative.pk:06d}{h:03d}",
            register_number_index=crypto.blind_index(f"{tag}{cooperative.pk:06d}{h:03d}"),
            head_name="张三",
            village=village,
            county=county,
            size=3,
            status="poor",
            baseline_income_per_head=Decimal("4000.00"),
            registered_year=2016,
        )
        for h in range(HOUSEHOLDS)
    )
    BenefitLink.objects.bulk_create(
        BenefitLink(
            household=household,
            cooperative=cooperative,
            kind="produce_supply",
            supply_share=Decimal(h % 3 + 1),
            started_on=datetime.date(YEAR - 1, 1, 1),
        )
        for h, household in enumerate(households)
    )


def _order_with_lines(
    *, tag: str, n: int, product=None, cooperative=None, number: str = "", organisation=None
):
    Order = get_model("order", "Order")
    Line = get_model("order", "Line")
    order = Order.objects.create(
        number=number or f"{tag}-BULK",
        currency="CNY",
        total_incl_tax=Decimal("10.00") * n,
        total_excl_tax=Decimal("10.00") * n,
        shipping_incl_tax=0,
        shipping_excl_tax=0,
        status="Paid",
        date_placed=timezone.now(),
        organisation=organisation,
    )
    lines = Line.objects.bulk_create(
        Line(
            order=order,
            partner_name="基准",
            partner_sku=f"{tag}-{i}",
            title="基准产品",
            quantity=1,
            num_allocated=1,
            line_price_incl_tax=Decimal("10.00"),
            line_price_excl_tax=Decimal("10.00"),
            line_price_before_discounts_incl_tax=Decimal("10.00"),
            line_price_before_discounts_excl_tax=Decimal("10.00"),
            unit_price_incl_tax=Decimal("10.00"),
            unit_price_excl_tax=Decimal("10.00"),
            product=product,
            cooperative=cooperative,
        )
        for i in range(n)
    )
    return order, lines


def _events(order, n: int, *, when=None) -> list:
    PaymentEvent = get_model("order", "PaymentEvent")
    PaymentEventType = get_model("order", "PaymentEventType")
    paid, _ = PaymentEventType.objects.get_or_create(code=PAID, defaults={"name": "支付"})
    events = PaymentEvent.objects.bulk_create(
        PaymentEvent(order=order, amount=order.total_incl_tax, event_type=paid) for _ in range(n)
    )
    if when is not None:
        PaymentEvent.objects.filter(pk__in=[e.pk for e in events]).update(date_created=when)
    return events


def _bulk_facts(*, order, lines, events, pairings, counties, cooperatives) -> None:
    """1,000,000 facts in one INSERT … SELECT over generate_series."""
    pairing_ids = [p.pk for p in pairings]
    county_ids = [c.pk for c, _v in counties]
    coop_ids = [c.pk for c in cooperatives]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO evaluation_purchasefact (
                payment_event_id, line_id, order_id, kind, occurred_at, sold_at, year, month,
                natural_year, note, product_id, cooperative_id, origin_county_id,
                origin_deep_poverty, origin_supervision_target, origin_exit_year, buyer_kind,
                attribution_note, bought_pairing_id, helped_pairing_id, quantity, amount,
                counts, excluded_reason, created_at
            )
            SELECT
                (%(events)s::bigint[])[1 + (g %% %(n_events)s)],
                (%(lines)s::bigint[])[1 + (g / %(n_events)s) %% %(n_lines)s],
                %(order)s, 'sale', ts, ts, %(year)s, extract(month from ts)::int, %(year)s,
                '', NULL,
                (%(coops)s::bigint[])[1 + (g %% %(n_pairings)s)],
                (%(counties)s::bigint[])[1 + (g %% %(n_pairings)s)],
                (g %% %(n_pairings)s) %% 2 = 0, false, 2020, 'consumer', '',
                (%(pairings)s::bigint[])[1 + (g %% %(n_pairings)s)],
                CASE WHEN g %% 3 = 0 THEN (%(pairings)s::bigint[])[1 + (g %% %(n_pairings)s)] END,
                1 + g %% 5, ((1 + g %% 5) * 9.90)::numeric(12, 2), g %% 50 <> 0, '', now()
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
                "coops": coop_ids,
                "counties": county_ids,
                "pairings": pairing_ids,
                "n_pairings": len(pairing_ids),
                "facts": FACTS,
            },
        )
        cursor.execute("ANALYZE evaluation_purchasefact")


def _plain_group_by() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT bought_pairing_id, SUM(amount) FROM evaluation_purchasefact "
            "WHERE year = %s AND counts GROUP BY bought_pairing_id",
            [YEAR],
        )
        cursor.fetchall()


def _settled_order(*, tag: str, index: int, cooperative, organisation) -> int:
    """One certified product's order with a paid event, as the store records it."""
    from oscar.test.factories import create_product

    from marketplace.order.selectors import line_units_value

    ProductCertificate = get_model("catalogue", "ProductCertificate")
    PaymentEventQuantity = get_model("order", "PaymentEventQuantity")
    product = create_product(title=f"基准增量{index}")
    product.cooperative = cooperative
    product.save()
    ProductCertificate.objects.create(
        product=product,
        state="certified",
        number=f"{tag}-{index}",
        valid_from=datetime.date(YEAR, 1, 1),
        valid_to=datetime.date(YEAR, 12, 31),
    )
    order, lines = _order_with_lines(
        tag=tag,
        n=2,
        product=product,
        cooperative=cooperative,
        number=f"{tag}-INC{index}",
        organisation=organisation,
    )
    when = datetime.datetime(YEAR, 6, 1, 10, tzinfo=datetime.UTC)
    [event] = _events(order, 1, when=when)
    for line in lines:
        amount = line_units_value(line=line, units=1)
        PaymentEventQuantity.objects.create(event=event, line=line, quantity=1, amount=amount)
    return event.pk


def _analyze() -> None:
    """Statistics of the data written so far, as autovacuum would have them in production:
    without them PostgreSQL plans from whatever the tables held before (these machines
    run without autovacuum). Stale, they once made it read the pairing's 125,000 facts
    for every settlement's households reached (350 ms instead of 1); taken before the
    scorecards existed, they made updating the items a nested loop that ran for minutes."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _scorecards_spoil() -> None:
    """Put a wrong value in every item of the year's scorecards (after the first refresh
    made them): a refresh then rewrites every card and item, the most it ever updates. A
    nightly refresh mostly finds the settlements' figures right and writes less."""
    from evaluation.models import ScorecardItem

    ScorecardItem.objects.filter(scorecard__year=YEAR).update(value=-1)


def run() -> list[dict]:
    from evaluation.models import ScorecardItem
    from evaluation.services.facts import purchase_facts_record
    from evaluation.services.scoring import scorecards_refresh
    from producers.income.services import events_process

    if connection.vendor != "postgresql":
        raise RuntimeError("The evaluation benchmark runs on PostgreSQL (set DATABASE_URL).")
    rows: list[dict] = []
    try:
        with transaction.atomic():
            tag, pairings, counties, cooperatives, buyers = _world()
            regions = regions_fill(tag=tag)
            pairings_count = pairings_fill(tag=tag, year=YEAR)
            order, lines = _order_with_lines(tag=tag, n=LINES)
            events = _events(order, EVENTS)
            start = time.perf_counter()
            _bulk_facts(
                order=order,
                lines=lines,
                events=events,
                pairings=pairings,
                counties=counties,
                cooperatives=cooperatives,
            )
            load = time.perf_counter() - start

            plain, plain_peak = _measure(_plain_group_by)
            start = time.perf_counter()
            scorecards_refresh(year=YEAR)  # the year's first: makes every card and item
            made = time.perf_counter() - start
            _analyze()  # facts, cards and items all there now
            rebuild, rebuild_peak = _measure(
                lambda: scorecards_refresh(year=YEAR), before=_scorecards_spoil
            )
            confirm, _confirm_peak = _measure(lambda: scorecards_refresh(year=YEAR))

            event_ids = [
                _settled_order(
                    tag=tag,
                    index=i,
                    cooperative=cooperatives[i % PAIRINGS],
                    organisation=buyers[i % PAIRINGS],
                )
                # warm-up orders, timed orders, one more for the traced run
                for i in range(WARM_UP_ORDERS + INCREMENTAL_ORDERS + 1)
            ]
            # The income task runs first (its receiver is registered first): the ledger
            # entries the households indicator counts are there when the facts are written.
            events_process(payment_event_ids=event_ids)
            _analyze()
            pending = iter(event_ids)
            for _ in range(WARM_UP_ORDERS):
                purchase_facts_record(payment_event_id=next(pending))

            def incremental():
                # What the settlement task does: write the facts and add them to the
                # scorecards they touch, in one transaction.
                purchase_facts_record(payment_event_id=next(pending))

            increment, increment_peak = _measure(incremental, repeat=INCREMENTAL_ORDERS)
            PurchaseFact = get_model("evaluation", "PurchaseFact")
            attributed = PurchaseFact.objects.filter(
                order__number__startswith=f"{tag}-INC", bought_pairing__isnull=False
            ).count()
            if attributed != 2 * len(event_ids):  # each order: two lines, one pairing
                raise RuntimeError("incremental orders were not attributed to their pairings")
            reached = ScorecardItem.objects.filter(
                scorecard__year=YEAR, indicator__code="households", value__gt=0
            ).count()
            if reached != PAIRINGS:
                raise RuntimeError("incremental orders reached no households")
            rows = [
                {
                    "figure": "evaluation: bulk load of purchase facts",
                    "value": round(load, 2),
                    "unit": "s",
                    "size": FACTS,
                    "peak_memory_mb": None,
                },
                {
                    "figure": "evaluation: plain GROUP BY over the facts",
                    "value": round(plain, 3),
                    "unit": "s",
                    "size": FACTS,
                    "peak_memory_mb": round(plain_peak, 1),
                },
                {
                    "figure": (
                        f"evaluation: scorecards rebuild ({pairings_count:,} pairings,"
                        " 5 indicators, every item rewritten)"
                    ),
                    "value": round(rebuild, 3),
                    "unit": "s",
                    "size": FACTS,
                    "peak_memory_mb": round(rebuild_peak, 1),
                },
                {
                    "figure": "evaluation: the same when making every card (the year's first)",
                    "value": round(made, 3),
                    "unit": "s",
                    "size": FACTS,
                    "peak_memory_mb": None,
                },
                {
                    "figure": "evaluation: scorecards rebuild / plain GROUP BY",
                    "value": round(rebuild / plain, 2) if plain else None,
                    "unit": "×",
                    "size": FACTS,
                    "peak_memory_mb": None,
                },
                {
                    "figure": (
                        "evaluation: the same when every figure is right already (nightly)"
                        " / plain GROUP BY"
                    ),
                    "value": round(confirm / plain, 2) if plain else None,
                    "unit": "×",
                    "size": f"{FACTS:,}; {confirm:.2f} s",
                    "peak_memory_mb": None,
                },
                {
                    "figure": (
                        "evaluation: incremental update per settled order"
                        f" ({regions:,} regions, {pairings_count:,} pairings)"
                    ),
                    "value": round(increment * 1000, 1),
                    "unit": "ms",
                    "size": FACTS,
                    "peak_memory_mb": round(increment_peak, 1),
                },
            ]
            raise Rollback
    except Rollback:
        pass
    return rows


if __name__ == "__main__":  # python -m bench.evaluation_scorecards
    from bench.run import django_setup, table

    if django_setup():
        print(table(run()))
