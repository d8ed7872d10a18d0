"""Benchmark: allocate 100,000 settled order lines to households on PostgreSQL.

Bulk-generated world: 50 cooperatives, each with 8 households (all produce suppliers, 3
wage workers with recorded work, 2 dividend holders) and 2 products, half of them with a
supply lot; 20,000 orders of 5 lines paid over 30 days. Figures:
- the batched service (1,000 payment events per call), the path a backlog or the
  rebuild takes;
- one payment event per call, the path each live settlement task takes;
- the rebuild comparison over everything allocated.

Everything runs inside one transaction that is rolled back: the database is left as found.
`run()` returns rows of {figure, value, unit, size, peak_memory_mb}."""

import datetime
import random
import time
import tracemalloc
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from oscar.core.loading import get_model

COOPERATIVES = 50
HOUSEHOLDS = 8
ORDERS = 20_000
LINES_PER_ORDER = 5
BATCH = 1_000  # payment events per events_process call
SINGLE_ORDERS = 400  # orders allocated one event per call
DAYS = 30


class Rollback(Exception):
    pass


def _world(rng: random.Random):
    from producers import crypto
    from producers.income.models import SupplyLot, SupplyLotItem
    from producers.models import (
        BenefitLink,
        BenefitScheme,
        Cooperative,
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
        cooperative = Cooperative.objects.create(
            legal_name=f"基准收益合作社{tag}{c}",
            credit_code=f"93{tag[1:]}{c:011d}"[:18],
            kind="farmers_cooperative",
            village=village,
            contact_name="李四",
            contact_phone="13800138000",
            state="certified",
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


def _orders(*, tag: str, rng: random.Random, products, first_day, count: int, offset: int):
    """`count` paid orders of LINES_PER_ORDER lines; returns their payment event ids."""
    Order = get_model("order", "Order")
    Line = get_model("order", "Line")
    PaymentEvent = get_model("order", "PaymentEvent")
    PaymentEventType = get_model("order", "PaymentEventType")
    PaymentEventQuantity = get_model("order", "PaymentEventQuantity")
    paid, _ = PaymentEventType.objects.get_or_create(code="paid", defaults={"name": "支付"})
    tz = timezone.get_current_timezone()
    whens = [
        datetime.datetime.combine(
            first_day + datetime.timedelta(days=rng.randrange(DAYS)), datetime.time(12), tz
        )
        for _ in range(count)
    ]
    orders = Order.objects.bulk_create(
        (
            Order(
                number=f"{tag}-{offset + i}",
                currency="CNY",
                total_incl_tax=Decimal("0.00"),
                total_excl_tax=Decimal("0.00"),
                shipping_incl_tax=0,
                shipping_excl_tax=0,
                status="Paid",
                date_placed=whens[i],
            )
            for i in range(count)
        ),
        batch_size=5000,
    )
    lines = []
    for order in orders:
        for _ in range(LINES_PER_ORDER):
            product = rng.choice(products)
            qty = rng.randint(1, 3)
            price = Decimal(rng.randrange(990, 19900)) / 100
            lines.append(
                Line(
                    order=order,
                    partner_name="基准",
                    partner_sku="B",
                    title=product.title,
                    quantity=qty,
                    num_allocated=qty,
                    line_price_incl_tax=price * qty,
                    line_price_excl_tax=price * qty,
                    line_price_before_discounts_incl_tax=price * qty,
                    line_price_before_discounts_excl_tax=price * qty,
                    unit_price_incl_tax=price,
                    unit_price_excl_tax=price,
                    product=product,
                    cooperative_id=product.cooperative_id,
                )
            )
    Line.objects.bulk_create(lines, batch_size=5000)
    events = PaymentEvent.objects.bulk_create(
        (PaymentEvent(order=o, amount=Decimal("0.00"), event_type=paid) for o in orders),
        batch_size=5000,
    )
    PaymentEventQuantity.objects.bulk_create(
        (
            PaymentEventQuantity(
                event=events[i // LINES_PER_ORDER], line=line, quantity=line.quantity
            )
            for i, line in enumerate(lines)
        ),
        batch_size=5000,
    )
    with connection.cursor() as cursor:  # backdate the payments over the month
        cursor.execute(
            "UPDATE order_paymentevent SET date_created = o.date_placed FROM order_order o "
            "WHERE o.id = order_paymentevent.order_id AND o.number LIKE %s",
            [f"{tag}-%"],
        )
    return [e.pk for e in events]


def _traced_peak(fn) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def run() -> list[dict]:
    from producers.income.models import LedgerEntry
    from producers.income.services import events_process
    from producers.income.services.rebuild import ledger_rebuild_compare

    if connection.vendor != "postgresql":
        raise RuntimeError("The income benchmark runs on PostgreSQL (set DATABASE_URL).")
    rng = random.Random(2020)  # noqa: S311  benchmark data
    rows: list[dict] = []
    try:
        with transaction.atomic():
            tag, products, first_day = _world(rng)
            common = {"tag": tag, "rng": rng, "products": products, "first_day": first_day}
            batch_ids = _orders(count=ORDERS, offset=0, **common)
            peak_ids = _orders(count=BATCH, offset=ORDERS, **common)
            single_ids = _orders(count=SINGLE_ORDERS, offset=ORDERS + BATCH, **common)
            lines = len(batch_ids) * LINES_PER_ORDER
            entries_before = LedgerEntry.objects.count()

            start = time.perf_counter()
            for i in range(0, len(batch_ids), BATCH):
                events_process(payment_event_ids=batch_ids[i : i + BATCH])
            batched = time.perf_counter() - start
            entries = LedgerEntry.objects.count() - entries_before
            peak = _traced_peak(lambda: events_process(payment_event_ids=peak_ids))
            rows.append(
                {
                    "figure": "income allocation, batched (1,000 events per call)",
                    "value": lines / batched,
                    "unit": "lines/s",
                    "size": f"{lines:,} lines, {entries:,} ledger entries",
                    "peak_memory_mb": f"{peak:.1f} per batch",
                }
            )

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
                    "size": f"{single_lines:,} lines",
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
                    "peak_memory_mb": "",
                }
            )
            raise Rollback
    except Rollback:
        pass
    return rows
