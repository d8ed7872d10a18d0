"""Purchase facts from the store's payment events: one per settled order line, one per
refunded line (negative). The same code decides a fact in the settlement task and in the
rebuild command, so that a rebuild reproduces the facts exactly: both load the events
with `events_load` and decide each event's facts with `facts_for_event`."""

import datetime
import functools
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

import psycopg
from django.db import IntegrityError, connection, transaction
from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from core.bulk import objs_insert
from core.partitions import index_root
from core.statements import Statement
from core.transactions import retry_on_serialization_failure, violated_constraint
from marketplace.payment.events import PAID, REFUND

from ..attribution import Attribution, CertificateHistory, certified_at
from ..models import EvaluationYear, PurchaseFact
from .errors import YearLocked
from .scoring import scorecards_apply, years_for_update

logger = logging.getLogger(__name__)

PaymentEvent = get_model("order", "PaymentEvent")
Order = get_model("order", "Order")
Membership = get_model("organisations", "Membership")
# The one constraint a replayed event runs into; any other IntegrityError is a fault.
REPLAY_CONSTRAINT = "one_fact_per_event_and_line"

SALE_KIND, REFUND_KIND = PurchaseFact.Kind.SALE.value, PurchaseFact.Kind.REFUND.value
ORGANISATION_BUYER = PurchaseFact.BuyerKind.ORGANISATION.value
CONSUMER_BUYER = PurchaseFact.BuyerKind.CONSUMER.value


# What deciding a fact reads, as plain records loaded with .values_list(): model instances
# with their relations cost more than the decision itself.
@dataclass(slots=True)
class ProductInfo:
    cooperative_id: int | None
    certificates: tuple[CertificateHistory, ...]


@dataclass(slots=True)
class LineInfo:
    id: int
    product_id: int | None  # None: the product was deleted since
    cooperative_id: int | None  # the line's own, else its product's
    county_id: int | None  # the cooperative's
    certificates: tuple[CertificateHistory, ...]


@dataclass(slots=True)
class OrderInfo:
    id: int
    organisation_id: int | None
    organisation_region_id: int | None
    address: tuple[str, str] | None  # shipping address (state, line4)
    channel_id: int | None
    channel_organisation_id: int | None
    channel_region_id: int | None
    lines: dict[int, LineInfo] = field(default_factory=dict)  # by pk, in pk order
    paid_at: datetime.datetime | None = None  # the first paid event's date_created
    # A consumer's recorded ties: (organisation, its home region, approved at or None),
    # by organisation id; the first tie in force at the sale makes it a purchase.
    ties: list[tuple[int, int, datetime.datetime | None]] = field(default_factory=list)


@dataclass(slots=True)
class EventInfo:
    id: int
    order: OrderInfo
    is_refund: bool
    amount: Decimal
    date_created: datetime.datetime
    # (line id, quantity, amount): the event's own money for the line, after discounts
    quantities: list[tuple[int, int, Decimal]] = field(default_factory=list)


Product = get_model("catalogue", "Product")
Cooperative = get_model("producers", "Cooperative")
# Each product with its cooperative's county and its certificates, each of those with its
# state changes, in one query (LEFT JOINs: NULLs where none).
_PRODUCTS = Statement(
    lambda *, ids: (
        Product.objects.filter(pk__in=ids)
        .order_by(
            "pk",
            "certificates__pk",
            "certificates__events__created_at",
            "certificates__events__pk",
        )
        .values_list(
            "id",
            "cooperative",
            "cooperative__county",
            "certificates__id",
            "certificates__valid_from",
            "certificates__valid_to",
            "certificates__state",
            "certificates__events__created_at",
            "certificates__events__from_state",
            "certificates__events__to_state",
        )
    ),
    model=Product,
    binary=True,
)
_COUNTIES = Statement(
    lambda *, ids: Cooperative.objects.filter(pk__in=ids).values_list("id", "county_id"),
    model=Cooperative,
)


@dataclass
class Catalogue:
    """Products and cooperatives already loaded, kept across the chunks of a rebuild."""

    products: dict[int, ProductInfo] = field(default_factory=dict)
    counties: dict[int, int] = field(default_factory=dict)  # cooperative id -> county id

    def load(self, *, product_ids: Iterable[int], cooperative_ids: Iterable[int]) -> None:
        new = set(product_ids) - self.products.keys() - {None}
        if new:
            cooperatives, histories = {}, {}
            for product_id, cooperative_id, county_id, pk, *rest in _PRODUCTS.rows(ids=sorted(new)):
                cooperatives[product_id] = cooperative_id
                if cooperative_id is not None:
                    self.counties[cooperative_id] = county_id
                if pk is None:
                    continue
                valid_from, valid_to, state, *change = rest
                if pk not in histories:
                    histories[pk] = (product_id, valid_from, valid_to, state, [])
                if change[0] is not None:  # the time of a state change
                    histories[pk][4].append(tuple(change))
            certificates = defaultdict(list)
            for product_id, valid_from, valid_to, state, changes in histories.values():
                certificates[product_id].append(
                    CertificateHistory.of(
                        valid_from=valid_from, valid_to=valid_to, state=state, changes=changes
                    )
                )
            for product_id, cooperative_id in cooperatives.items():
                self.products[product_id] = ProductInfo(
                    cooperative_id, tuple(certificates[product_id])
                )
        wanted = {p.cooperative_id for p in self.products.values()} | set(cooperative_ids)
        new = wanted - self.counties.keys() - {None}
        if new:
            self.counties.update(_COUNTIES.rows(ids=sorted(new)))


def rows_of(queryset) -> list[tuple]:
    """The rows of a .values_list() queryset, fetched in PostgreSQL's binary format: its
    timestamps load in C there, several times faster than through Django's text loader.
    The same values (datetimes in UTC, the same Decimals)."""
    if connection.vendor != "postgresql":
        return list(queryset)
    statement, params = queryset.query.sql_with_params()
    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(statement, params, binary=True)
        return cursor.fetchall()


def _events_of(events):
    """Paid and refund events with the quantities they name (LEFT JOIN: a row of NULLs if
    none), by (date_created, pk)."""
    return (
        events.filter(event_type__code__in=(PAID, REFUND))
        .order_by("date_created", "pk", "line_quantities__pk")
        .values_list(
            "id",
            "order_id",
            "amount",
            "date_created",
            "event_type__code",
            "line_quantities__line_id",
            "line_quantities__quantity",
            "line_quantities__amount",
        )
    )


def _orders_with_lines(orders):
    """Each order with its lines (LEFT JOIN: one row of NULLs if no line), in one query."""
    return orders.order_by("pk", "lines__pk").values_list(
        "id",
        "user_id",
        "organisation_id",
        "organisation__home_region_id",
        "shipping_address_id",
        "shipping_address__state",
        "shipping_address__line4",
        "sales_channel_id",
        "sales_channel__region_id",
        "sales_channel__organisation_id",
        "sales_channel__organisation__home_region_id",
        "lines__id",
        "lines__product_id",
        "lines__cooperative_id",
    )


def _order_of(event_id):
    return Subquery(PaymentEvent.objects.filter(pk=event_id).values("order_id"))


# Compiled once per process (core.statements): a settlement runs them thousands of times a
# day, and a rebuild once per chunk.
_EVENTS_OF_ORDER = Statement(
    lambda *, event_id: _events_of(PaymentEvent.objects.filter(order=_order_of(event_id))),
    model=PaymentEvent,
    binary=True,
)
_EVENTS_OF_ORDERS = Statement(
    lambda *, first, last: _events_of(
        PaymentEvent.objects.filter(order__gte=first, order__lte=last)
    ),
    model=PaymentEvent,
    binary=True,
)
_ORDER_OF_EVENT = Statement(
    lambda *, event_id: _orders_with_lines(Order.objects.filter(pk=_order_of(event_id))),
    model=Order,
)
_ORDERS = Statement(
    lambda *, first, last: _orders_with_lines(Order.objects.filter(pk__range=(first, last))),
    model=Order,
)


def events_load(
    *,
    first_order_id: int | None = None,
    last_order_id: int | None = None,
    order_of_event: int | None = None,
    catalogue: Catalogue | None = None,
) -> list[EventInfo]:
    """The paid and refund events of the orders with ids first..last (or of the one order
    of the payment event `order_of_event`), by (date_created, pk), each with its order and
    lines and everything deciding their facts needs. A handful of queries per call (ranges
    or a subquery, not lists of ids: cheaper to send and to plan)."""
    if order_of_event is not None:
        of = {"event_id": order_of_event}
        events, orders_read = _EVENTS_OF_ORDER, _ORDER_OF_EVENT
    else:
        of = {"first": first_order_id, "last": last_order_id}
        events, orders_read = _EVENTS_OF_ORDERS, _ORDERS
    catalogue = catalogue if catalogue is not None else Catalogue()
    # Each event with the quantities it names (LEFT JOIN: a row of NULLs if none).
    rows, quantities = {}, defaultdict(list)
    for pk, *event, line_id, quantity, line_amount in events.rows(**of):
        rows.setdefault(pk, (pk, *event))
        if line_id is not None:
            quantities[pk].append((line_id, quantity, line_amount))
    if not rows:
        return []
    # Each order with its lines, in one query (LEFT JOIN: one row of NULLs if no line).
    # A line's money comes from the event (above), never from the line's prices.
    orders, lines, consumers = {}, [], defaultdict(list)
    for (
        pk,
        user_id,
        organisation_id,
        organisation_region_id,
        address_id,
        state,
        city,
        channel_id,
        channel_region_id,
        channel_organisation_id,
        channel_organisation_region_id,
        *line,
    ) in orders_read.rows(**of):
        if pk not in orders:
            orders[pk] = OrderInfo(
                pk,
                organisation_id,
                organisation_region_id,
                (state, city) if address_id is not None else None,
                channel_id,
                channel_organisation_id,
                channel_region_id
                or (channel_organisation_region_id if channel_organisation_id else None),
                {},
            )
            if organisation_id is None and user_id is not None:
                consumers[user_id].append(pk)
        if line[0] is not None:
            lines.append((line[0], pk, *line[1:]))
    _ties_load(orders=orders, consumers=consumers)
    catalogue.load(
        product_ids={line[2] for line in lines}, cooperative_ids={line[3] for line in lines}
    )
    products, counties = catalogue.products, catalogue.counties
    for pk, order_id, product_id, cooperative_id in lines:
        product = products.get(product_id) if product_id is not None else None
        cooperative_id = cooperative_id or (product.cooperative_id if product else None)
        orders[order_id].lines[pk] = LineInfo(  # positional: ~30% faster than by keyword
            pk,
            product_id if product else None,
            cooperative_id,
            counties.get(cooperative_id) if cooperative_id else None,
            product.certificates if product else (),
        )
    events = []
    for pk, order_id, amount, date_created, type_code in rows.values():
        order = orders[order_id]
        is_refund = type_code == REFUND
        if not is_refund and order.paid_at is None:
            order.paid_at = date_created  # rows come by (date_created, pk): the first
        events.append(EventInfo(pk, order, is_refund, amount, date_created, quantities[pk]))
    return events


_TIES = Statement(
    lambda *, users: (
        Membership.objects.filter(user_id__in=users, state=Membership.State.APPROVED)
        .order_by("user_id", "organisation_id")
        .values_list("user_id", "organisation_id", "organisation__home_region_id", "decided_at")
    ),
    model=Membership,
)


def _ties_load(*, orders: dict[int, OrderInfo], consumers: dict[int, list[int]]) -> None:
    """The approved memberships of the consumers of `orders` ({user id: ids of their
    orders without an organisation}): one query, none when every order is an
    organisation's (a settlement pays one more round trip for each query)."""
    if not consumers:
        return
    for user_id, organisation_id, region_id, decided_at in _TIES.rows(users=sorted(consumers)):
        for pk in consumers[user_id]:
            orders[pk].ties.append((organisation_id, region_id, decided_at))


def _month_in(year: int, day: datetime.date) -> int:
    if day.year == year:
        return day.month
    return 12 if day.year > year else 1


def facts_for_event(*, event: EventInfo, attribution: Attribution) -> list[dict]:
    """The facts a paid or refund event makes, as {PurchaseFact attname: value} dicts.
    Pure: reads only `event` (loaded by events_load()) and `attribution`."""
    order = event.order
    is_refund = event.is_refund
    lines = order.lines
    sold_at = (order.paid_at or event.date_created).astimezone(attribution.timezone)
    occurred_at = event.date_created.astimezone(attribution.timezone)
    natural_year = sold_at.year
    year = attribution.open_year_from(natural_year)

    # A line's money is the event's own for it, as the store priced it after discounts
    # (invariant 9): never recomputed from prices. Refunds count negative.
    sign = -1 if is_refund else 1
    named = [(lines.get(line_id), qty, money) for line_id, qty, money in event.quantities]
    named = [row for row in named if row[0] is not None]
    quantities = [(line, sign * qty) for line, qty, _money in named]
    amounts = [sign * money for _line, _qty, money in named]

    buyer = _buyer(order=order, attribution=attribution, sold_at=sold_at)
    buyer_region_id = buyer["buyer_region_id"]
    channel_id = order.channel_id
    channel_region_id = order.channel_region_id if channel_id is not None else None
    sale_pairings = attribution.sale_pairings
    kind = REFUND_KIND if is_refund else SALE_KIND
    counted = {}  # (product, cooperative) -> (counts, excluded reason): one sale moment
    facts = []
    for (line, qty), amount in zip(quantities, amounts, strict=True):
        county_id = line.county_id
        county = attribution.county(county_id) if county_id is not None else None
        origin_county_id = county.id if county else None
        decided = (line.product_id, line.cooperative_id)  # the product gives the certificates
        if decided not in counted:
            counted[decided] = _line_counts_and_reason(line=line, sold_at=sold_at)
        counts, reason = counted[decided]
        bought, helped = sale_pairings(
            purchaser_region_id=buyer_region_id if buyer["organisation_id"] else None,
            purchaser_organisation_id=buyer["organisation_id"],
            channel_region_id=channel_region_id,
            channel_organisation_id=order.channel_organisation_id if channel_id else None,
            origin_county_id=origin_county_id,
            year=natural_year,
        )
        facts.append(
            {
                "payment_event_id": event.id,
                "line_id": line.id,
                "order_id": order.id,
                "kind": kind,
                "occurred_at": occurred_at,
                "sold_at": sold_at,
                "natural_year": natural_year,
                "product_id": line.product_id,
                "cooperative_id": line.cooperative_id,
                "origin_county_id": origin_county_id,
                "origin_deep_poverty": bool(county and county.is_deep_poverty),
                "origin_supervision_target": bool(county and county.is_supervision_target),
                "origin_exit_year": county.exit_year if county else None,
                "channel_id": channel_id,
                "channel_region_id": channel_region_id,
                "bought_pairing_id": bought.id if bought else None,
                "helped_pairing_id": helped.id if helped else None,
                "quantity": qty,
                "amount": amount,
                "counts": counts,
                "excluded_reason": reason,
                **buyer,
            }
        )
    for fact in facts:
        fact_place(fact=fact, year=year)
    return facts


def fact_place(*, fact: dict, year: int) -> None:
    """Put a fact in the year it counts in: its own year, or (that year being locked) the
    next open year, as an adjustment with a note."""
    is_refund = fact["kind"] == REFUND_KIND
    fact["year"] = year
    fact["month"] = _month_in(year, (fact["occurred_at"] if is_refund else fact["sold_at"]).date())
    fact["note"] = ""
    if year != fact["natural_year"]:
        template = (
            _gettext_cached(gettext_noop("退款时%(locked)s年度已锁定，作为调整计入%(year)s年度"))
            if is_refund
            else _gettext_cached(gettext_noop("结算时%(locked)s年度已锁定，计入%(year)s年度"))
        )
        fact["note"] = template % {"locked": fact["natural_year"], "year": year}


def _buyer(*, order: OrderInfo, attribution: Attribution, sold_at: datetime.datetime) -> dict:
    """Who bought: the organisation, else the consumer, described by the organisation they
    were a recorded member of at the sale (the purchase then counts for its side), else by
    their shipping address (descriptive only: an address never makes a purchase)."""
    if order.organisation_id:
        return {
            "buyer_kind": ORGANISATION_BUYER,
            "organisation_id": order.organisation_id,
            "buyer_region_id": order.organisation_region_id,
            "attribution_note": "",
        }
    for organisation_id, region_id, since in order.ties:
        if since is None or since <= sold_at:
            return {
                "buyer_kind": CONSUMER_BUYER,
                "organisation_id": organisation_id,
                "buyer_region_id": region_id,
                "attribution_note": _gettext_cached(
                    gettext_noop("购买人为该单位登记成员，按单位采购归属")
                ),
            }
    if order.address is None:
        region_id, note = attribution.shipping_region(None)
    else:
        state, city = order.address
        region_id, note = attribution.address_region(state=state, city=city)
    return {
        "buyer_kind": CONSUMER_BUYER,
        "organisation_id": None,
        "buyer_region_id": region_id,
        "attribution_note": note,
    }


@functools.lru_cache(maxsize=128)
def _translated(message: str, language: str | None) -> str:
    return _(message)


def _gettext_cached(message: str) -> str:
    """gettext(message), looked up once per language: a fifth of facts carry a reason."""
    return _translated(message, get_language())


def _line_counts_and_reason(*, line: LineInfo, sold_at: datetime.datetime) -> tuple[bool, str]:
    """Whether the line's sale counts for the evaluation and, if not, why."""
    if line.product_id is None:
        return False, _gettext_cached(gettext_noop("订单行的产品已删除，无法确认认定状态"))
    if line.cooperative_id is None:
        return False, _gettext_cached(gettext_noop("订单行没有生产合作社"))
    if not certified_at(certificates=line.certificates, moment=sold_at):
        return False, _gettext_cached(gettext_noop("销售时该产品没有有效的扶贫产品认定"))
    return True, ""


@retry_on_serialization_failure
def purchase_facts_record(*, payment_event_id: int) -> list[PurchaseFact]:
    """Write the facts of one paid or refund event, once: a replayed event changes nothing.
    Facts never go into a locked year; they become adjustments of the next open year.
    The scorecards they touch are updated in the same transaction."""
    matching = [e for e in events_load(order_of_event=payment_event_id) if e.id == payment_event_id]
    if not matching:  # no such event, or neither paid nor refund
        return []
    [event] = matching
    sold_year = timezone.localtime(event.order.paid_at or event.date_created).year
    try:
        with transaction.atomic():
            # Serialises with year_lock: a year cannot be locked while its facts are written.
            years = years_for_update()
            if sold_year not in years:  # the sale year's row must exist to be locked
                EvaluationYear.objects.get_or_create(year=sold_year)
                years = years_for_update()
            order = event.order
            attribution = Attribution.load(
                years=years,
                region_ids={line.county_id for line in order.lines.values()}
                | {order.organisation_region_id, order.channel_region_id}
                | {region_id for _org, region_id, _since in order.ties},
            )
            facts = [
                PurchaseFact(**fact)
                for fact in facts_for_event(event=event, attribution=attribution)
            ]
            if _written_in_an_earlier_year(facts=facts, payment_event_id=payment_event_id):
                return list(PurchaseFact.objects.filter(payment_event_id=payment_event_id))
            # A replayed event fails here on the unique (event, line) pair: no lookup first.
            facts_write(facts=facts, years=years)
            for year in sorted({f.year for f in facts}):
                scorecards_apply(
                    year=year, facts=[f for f in facts if f.year == year], config=years.get(year)
                )
    except IntegrityError as exc:
        if not _is_replay(exc, event=event):
            # A fact the database refuses (a CHECK, a missing row) is not a replay: the
            # task fails where it can be seen and retried, the order is not dropped.
            logger.error("Purchase facts of payment event %s refused", payment_event_id)
            raise
        # Recorded before (a replay), or meanwhile by another worker.
        return list(PurchaseFact.objects.filter(payment_event_id=payment_event_id))
    return facts


def _written_in_an_earlier_year(*, facts: list[PurchaseFact], payment_event_id: int) -> bool:
    """Whether facts being placed as adjustments of a later open year (their own year was
    locked) were written before, when an earlier year was still open: a replay that the
    unique (event, line, year) constraint of the partitioned table cannot see, the years
    differing (decision 0008). Facts go only to the first open year from their own, and
    nothing unlocks a year: a replay lands in the same year (the constraint refuses it) or
    in a later one, and only when the fact is an adjustment. Every writer of facts holds
    the year rows locked (years_for_update), so this lookup races with none. Not asked for
    facts in their own year: a settlement pays nothing for it."""
    if all(fact.year == fact.natural_year for fact in facts):
        return False
    return PurchaseFact.objects.filter(
        payment_event_id=payment_event_id, line_id__in=[fact.line_id for fact in facts]
    ).exists()


def _is_replay(exc: IntegrityError, *, event: EventInfo) -> bool:
    """Whether `exc` is the unique (event, line) pair refusing facts already written. Where
    the database does not name the constraint (a UNIQUE one on SQLite), whether the facts
    of the event are there (the failed transaction has rolled back)."""
    name = violated_constraint(exc)
    if name is not None:
        # On PostgreSQL the name is the partition's index of the constraint (decision 0008)
        return index_root(name) == REPLAY_CONSTRAINT
    return PurchaseFact.objects.filter(
        payment_event_id=event.id, line_id__in=list(event.order.lines)
    ).exists()


def facts_write(*, facts: list[PurchaseFact], years: dict[int, EvaluationYear]) -> None:
    """Insert `facts`, none of them into a locked year. `years`: the year rows the caller
    holds locked (see years_for_update)."""
    locked = {f.year for f in facts if f.year in years and years[f.year].is_locked}
    if locked:
        raise YearLocked(min(locked))
    objs_insert(facts)
