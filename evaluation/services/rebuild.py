"""Rebuild purchase facts and scorecards from the store's payment events, and say what
differed. Locked years are compared but never written.

Orders are taken a chunk at a time (their events, lines and stored facts in a few
queries), so memory stays bounded whatever the history; stored facts are compared as
tuples and new ones written with COPY. Each chunk is loaded, then decided while the
previous chunk's new facts are being copied in, so that Python and PostgreSQL work at the
same time; deciding therefore must not query (regions are read before).

Confirmed off-platform sales are compared after the orders, by (sale, kind): the facts
their records make now (offplatform_facts_for, as when the cooperative confirmed them)
against the stored ones.

A fact stored twice, in two years (each partition's unique key includes the year, so the
database cannot refuse it), would count twice: the whole rebuild keeps one row, the one a
locked year holds or else the earliest, and deletes the others in open years.

A rebuild of one year reads and writes that year's partition of the facts. It compares
the facts stored in the year and the facts the orders with a payment or refund dated in
the year make for it (the year's own sales, and adjustments of locked years). A fact it
would make is first looked up in the other years, by their indexes: an adjustment may
sit in the locked year where it was written, and a fact stored in a year it does not
count in is reported, never moved (that would write another year and leave its
scorecards behind); the whole rebuild moves it. Not seen from one year: a lost fact of an
earlier, locked year's sale whose order has no payment or refund in the year, and a fact
stored twice (below), which only the whole rebuild looks for."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from operator import itemgetter

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.bulk import rows_copying, rows_delete
from core.transactions import retry_on_serialization_failure

from ..attribution import Attribution
from ..models import Indicator, OffPlatformSale, PurchaseFact, Scorecard
from .facts import (
    PAID,
    REFUND,
    Catalogue,
    PaymentEvent,
    events_load,
    fact_place,
    facts_for_event,
    rows_of,
)
from .offplatform import offplatform_fact_place, offplatform_facts_for, offplatform_sales_load
from .scoring import scorecards_refresh, years_for_update

FIELDS = PurchaseFact.COMPUTED_FIELDS
KEY = ("payment_event_id", "line_id")
CHUNK = 2000  # orders per chunk
computed = itemgetter(*FIELDS)
YEAR = 3 + FIELDS.index("year")  # in a stored row: (pk, *KEY, *FIELDS)


@dataclass
class RebuildReport:
    facts_checked: int = 0
    created: list[tuple] = field(default_factory=list)
    updated: list[tuple] = field(default_factory=list)  # (key, field, old, new)
    deleted: list[tuple] = field(default_factory=list)
    locked_differences: list[tuple] = field(default_factory=list)  # (key, what)
    scorecards_changed: list[tuple] = field(default_factory=list)  # (pairing id, year)
    # Found by one year's rebuild and left to the whole one: (key, stored in, counts in)
    misplaced: list[tuple] = field(default_factory=list)
    twins: list[tuple] = field(default_factory=list)  # (key, year of the further row)

    @property
    def differences(self) -> int:
        return (
            len(self.created)
            + len({u[0] for u in self.updated})
            + len(self.deleted)
            + len(self.locked_differences)
            + len(self.scorecards_changed)
            + len(self.misplaced)
            + len(self.twins)
        )

    def described(self, *, show: int | None = None) -> list[str]:
        """Each difference as a sentence in the interface's language; with `show`, at most
        that many of each kind, and how many were left out."""
        kinds = [
            [_("缺少采购事实：%(fact)s") % {"fact": fact_name(key)} for key in self.created],
            [
                _("采购事实 %(fact)s：%(field)s 存储 %(old)r，重算 %(new)r")
                % {"fact": fact_name(key), "field": name, "old": old, "new": new}
                for key, name, old, new in self.updated
            ],
            [
                _("采购事实没有对应的来源：%(fact)s") % {"fact": fact_name(key)}
                for key in self.deleted
            ],
            [_locked_described(key, name) for key, name in self.locked_differences],
            [
                _("考核表 结对 %(pairing)s %(year)s 年度与重算结果不同")
                % {"pairing": pairing, "year": year}
                for pairing, year in self.scorecards_changed
            ],
            [
                _(
                    "采购事实 %(fact)s 存于 %(stored)s 年度，应计入 %(year)s 年度"
                    "（按年度重建不移动，请运行完整重建）"
                )
                % {"fact": fact_name(key), "stored": stored, "year": year}
                for key, stored, year in self.misplaced
            ],
            [
                _("采购事实 %(fact)s 重复存储，多出的一条在 %(year)s 年度")
                % {"fact": fact_name(key), "year": year}
                for key, year in self.twins
            ],
        ]
        lines, unlisted = [], 0
        for sentences in kinds:
            lines += sentences[:show]
            unlisted += len(sentences[show:]) if show is not None else 0
        if unlisted:
            lines.append(_("另有 %(count)s 处差异未列出") % {"count": unlisted})
        return lines


NO_SOURCE = "no source"  # a locked year's fact that no event line or sale makes any more
TWIN = "twin"  # a locked year's fact also stored in another year


def _locked_described(key: tuple, name: str) -> str:
    if name == TWIN:
        return _("已锁定年度：采购事实 %(fact)s 在另一年度重复存储（未删除）") % {
            "fact": fact_name(key)
        }
    if name == NO_SOURCE:
        return _("已锁定年度：采购事实 %(fact)s 已没有对应的来源（未删除）") % {
            "fact": fact_name(key)
        }
    return _("已锁定年度：采购事实 %(fact)s 的 %(field)s 不同") % {
        "fact": fact_name(key),
        "field": name,
    }


def fact_name(key: tuple) -> str:
    """A fact by its key: (event, line), or ("offplatform", sale, kind)."""
    if key[0] == "offplatform":
        return _("线下销售 %(sale)s %(kind)s") % {"sale": key[1], "kind": key[2]}
    return _("支付事件 %(event)s 订单行 %(line)s") % {"event": key[0], "line": key[1]}


def _facts_copy(facts: list[dict]):
    """Write new facts with COPY (several times faster than INSERT for a rebuild's many);
    the block runs while PostgreSQL stores them and must not query."""
    now = timezone.now()
    rows = [(f["payment_event_id"], f["line_id"], *computed(f), now) for f in facts]
    return rows_copying(PurchaseFact, [*KEY, *FIELDS, "created_at"], rows)


def _order_ids(*, year: int | None, tz: datetime.tzinfo) -> list[int]:
    """Orders with a paid or refund event, or with facts; of one year, orders with such
    an event dated in it (every order sold in the year has one) or with facts in it."""
    events = PaymentEvent.objects.filter(event_type__code__in=(PAID, REFUND))
    facts = PurchaseFact.objects.filter(payment_event__isnull=False)  # not off-platform sales'
    if year is not None:
        events = events.filter(
            date_created__gte=datetime.datetime(year, 1, 1, tzinfo=tz),
            date_created__lt=datetime.datetime(year + 1, 1, 1, tzinfo=tz),
        )
        facts = facts.filter(year=year)
    with_events = events.order_by().values_list("order_id", flat=True).distinct()
    with_facts = facts.order_by().values_list("payment_event__order_id", flat=True).distinct()
    return sorted(set(with_events) | set(with_facts))


def _order_ranges(order_ids: list[int]):
    """(first, last) ranges covering the sorted `order_ids`, each spanning fewer than CHUNK
    ids: a chunk is loaded by range, so one year's few old orders do not pull in the whole
    history between them and its own."""
    first = last = None
    for pk in order_ids:
        if first is not None and pk - first >= CHUNK:
            yield first, last
            first = None
        if first is None:
            first = pk
        last = pk
    if first is not None:
        yield first, last


def _in_scope(facts, *, year: int | None, stored: dict):
    """The (key, fact) pairs one year's rebuild compares: those stored in the year, and
    those that count in it."""
    if year is None:
        return facts
    return ((key, fact) for key, fact in facts if key in stored or fact["year"] == year)


def _scorecard_snapshot(years) -> dict:
    snapshot = {}
    for card in Scorecard.objects.filter(year__in=years).prefetch_related("items"):
        items = {(i.indicator_id, i.value, i.target, i.score) for i in card.items.all()}
        snapshot[(card.pairing_id, card.year)] = (card.total, card.grade, card.rank, items)
    return snapshot


@retry_on_serialization_failure
def evaluation_rebuild(*, dry_run: bool = False, year: int | None = None) -> RebuildReport:
    """Compare (and, in open years, repair) every fact and scorecard, or with `year` those
    of that year alone."""
    report = RebuildReport()
    with transaction.atomic():
        attribution = Attribution.load(years=years_for_update())
        catalogue = Catalogue()
        order_ids = _order_ids(year=year, tz=attribution.timezone)
        # Client and server work side by side: while PostgreSQL stores one chunk's new
        # facts (COPY), Python decides the next chunk's, loaded just before.
        pending = Writes()
        wanted = set(order_ids) if year is not None else None
        for orders_range in _order_ranges(order_ids):
            stored, events = _chunk_load(orders_range=orders_range, catalogue=catalogue, year=year)
            if wanted is not None:  # a range holds other years' orders too
                events = [event for event in events if event.order.id in wanted]
            _regions_read(attribution=attribution, events=events)
            with _facts_copy(pending.created):
                decided = _chunk_decide(
                    stored=stored, events=events, attribution=attribution, report=report, year=year
                )
            if year is not None:
                _held_elsewhere_drop(writes=decided, year=year, report=report)
                _earlier_twins_settle(writes=decided, year=year, report=report)
            _changes_write(pending)
            pending = decided
        with _facts_copy(pending.created):
            pass
        _changes_write(pending)
        _offplatform_rebuild(attribution=attribution, report=report, year=year)

        if year is None:
            years = sorted(
                {
                    # order_by(): the models' default ordering would make DISTINCT per row
                    *PurchaseFact.objects.order_by().values_list("year", flat=True).distinct(),
                    *Indicator.objects.order_by().values_list("year", flat=True).distinct(),
                    *Scorecard.objects.order_by().values_list("year", flat=True).distinct(),
                }
            )
        else:
            years = [year]
        open_years = [y for y in years if not attribution.is_locked(y)]
        before = _scorecard_snapshot(open_years)
        for open_year in open_years:
            scorecards_refresh(year=open_year)
        after = _scorecard_snapshot(open_years)
        report.scorecards_changed = sorted(
            k for k in before.keys() | after.keys() if before.get(k) != after.get(k)
        )
        if dry_run:
            transaction.set_rollback(True)
    return report


@dataclass
class Writes:
    """What one chunk's comparison decided to write."""

    created: list[dict] = field(default_factory=list)
    # Each with the year it is stored in: a statement names it, so that it reads one
    # partition (the update may move the fact to another year).
    updated: list[tuple[int, PurchaseFact]] = field(default_factory=list)
    deleted: list[tuple[int, int]] = field(default_factory=list)  # (year, fact pk)
    # One year's rebuild: (key, fact pk) of its rows sold or counted in another year, which
    # an earlier year may hold as well
    doubtful: list[tuple[tuple, int]] = field(default_factory=list)


def _facts_of(year: int | None):
    return PurchaseFact.objects.all() if year is None else PurchaseFact.objects.filter(year=year)


def _chunk_load(*, orders_range: tuple[int, int], catalogue: Catalogue, year: int | None):
    """The stored facts (by event and line; the event's order picks the chunk), of `year`
    if given, and the events of the orders in the id range."""
    first, last = orders_range
    stored = _stored_by_key(
        rows_of(
            _facts_of(year)
            .filter(payment_event__order__gte=first, payment_event__order__lte=last)
            .order_by()
            .values_list("pk", *KEY, *FIELDS)
        ),
        key=lambda row: (row[1], row[2]),
    )
    return stored, events_load(first_order_id=first, last_order_id=last, catalogue=catalogue)


class Stored(dict):
    """Stored rows by key; `twins`: the further rows of a key stored more than once (in
    different years: each partition's unique key includes the year)."""

    def __init__(self):
        super().__init__()
        self.twins = defaultdict(list)


def _stored_by_key(rows, *, key) -> Stored:
    stored = Stored()
    for row in rows:
        k = key(row)
        if k in stored:
            stored.twins[k].append(row)
        else:
            stored[k] = row
    return stored


def _twins_settle(*, stored: Stored, attribution: Attribution, report: RebuildReport) -> list:
    """A fact stored twice counts twice. Keep the row a locked year holds (it cannot go),
    else the earliest (a fact only ever moves forward), and say which of the others to
    delete as (year, pk); one in a locked year is reported only. No queries."""
    deleted = []
    for key, rows in stored.twins.items():
        rows = sorted(
            [stored[key], *rows], key=lambda r: (not attribution.is_locked(r[YEAR]), r[YEAR])
        )
        stored[key] = rows[0]
        for row in rows[1:]:
            if attribution.is_locked(row[YEAR]):
                report.locked_differences.append((key, TWIN))
            else:
                report.twins.append((key, row[YEAR]))
                deleted.append((row[YEAR], row[0]))
    return deleted


def _regions_read(*, attribution: Attribution, events: list) -> None:
    """Ask now for every region deciding these events will use: regions below county level
    are read from the database on first use, and deciding runs during a COPY."""
    for event in events:
        order = event.order
        regions = [order.organisation_region_id, order.channel_region_id]
        regions += [line.county_id for line in order.lines.values()]
        for region_id in regions:
            if region_id is not None:
                attribution.chain(region_id)
        if order.address is not None:
            attribution.address_region(state=order.address[0], city=order.address[1])


def _chunk_decide(
    *,
    stored: Stored,
    events: list,
    attribution: Attribution,
    report: RebuildReport,
    year: int | None,
) -> Writes:
    """Decide the facts of the events, compare them with the stored ones and say what to
    write. No queries."""
    facts = (
        ((fact["payment_event_id"], fact["line_id"]), fact)
        for event in events
        for fact in facts_for_event(event=event, attribution=attribution)
    )
    return _facts_compare(
        stored=stored,
        facts=facts,
        place=fact_place,
        attribution=attribution,
        report=report,
        year=year,
    )


def _offplatform_rebuild(
    *, attribution: Attribution, report: RebuildReport, year: int | None
) -> None:
    """Compare and write the facts of off-platform sales: one sale fact per confirmed
    record, and the reversal of each record a confirmed correction superseded."""
    catalogue = Catalogue()
    stored = _stored_by_key(
        _facts_of(year)
        .filter(offplatform_sale__isnull=False)
        .order_by()
        .values_list("pk", "offplatform_sale_id", "kind", *FIELDS),
        key=lambda row: (OFFPLATFORM, row[1], row[2]),
    )
    ids = None
    if year is not None:
        # The year's sales, and the locked years' just before it, whose facts (a sale
        # confirmed late, a correction's reversal) count in it: a few hundred a year.
        first = year
        while attribution.is_locked(first - 1):
            first -= 1
        ids = {key[1] for key in stored} | set(
            OffPlatformSale.objects.filter(
                sold_on__gte=datetime.date(first, 1, 1), sold_on__lte=datetime.date(year, 12, 31)
            ).values_list("pk", flat=True)
        )
    sales = offplatform_sales_load(ids=ids, catalogue=catalogue)
    facts = (
        ((OFFPLATFORM, fact["offplatform_sale_id"], fact["kind"]), fact)
        for sale in sales
        for fact in offplatform_facts_for(sale=sale, attribution=attribution, catalogue=catalogue)
    )
    writes = _facts_compare(
        stored=stored,
        facts=facts,
        place=offplatform_fact_place,
        attribution=attribution,
        report=report,
        year=year,
    )
    if year is not None:
        _held_elsewhere_drop(writes=writes, year=year, report=report)
        _earlier_twins_settle(writes=writes, year=year, report=report)
    PurchaseFact.objects.bulk_create([PurchaseFact(**fact) for fact in writes.created])
    _changes_write(writes)


OFFPLATFORM = "offplatform"  # the first part of an off-platform fact's key in the report


def _facts_compare(
    *,
    stored: Stored,
    facts,
    place,
    attribution: Attribution,
    report: RebuildReport,
    year: int | None,
) -> Writes:
    """Compare (key, fact) pairs with the stored rows (pk, *key, *FIELDS) by key, popping
    those found, and say what to write; with `year` (one year's rebuild), only the facts
    in its scope, and a fact that counts in another year is reported, not moved. No
    queries."""
    writes = Writes()
    writes.deleted += _twins_settle(stored=stored, attribution=attribution, report=report)
    for key, fact in _in_scope(facts, year=year, stored=stored):
        report.facts_checked += 1
        old = stored.pop(key, None)
        if old is None:
            report.created.append(key)
            writes.created.append(fact)
            continue
        old_year = old[YEAR]
        if year is not None and not attribution.is_locked(old_year):
            if fact["natural_year"] < old_year or fact["year"] != old_year:
                writes.doubtful.append((key, old[0]))
        if old_year != fact["year"] and fact["natural_year"] <= old_year <= fact["year"]:
            # Where a fact went depended on which years were locked when it was
            # written; any placement the lock rules allow is kept.
            place(fact=fact, year=old_year)
        new = computed(fact)
        if new == old[3:]:
            continue
        diffs = [
            (name, before, after)
            for name, before, after in zip(FIELDS, old[3:], new, strict=True)
            if before != after
        ]
        if attribution.is_locked(old_year):
            report.locked_differences.extend((key, name) for name, *_ in diffs)
            continue
        if year is not None and fact["year"] != old_year:
            report.misplaced.append((key, old_year, fact["year"]))
            continue
        report.updated.extend((key, name, before, after) for name, before, after in diffs)
        updated = PurchaseFact(pk=old[0], **dict(zip(FIELDS, new, strict=True)))
        writes.updated.append((old_year, updated))
    for key, old in stored.items():  # stored facts no event line (or sale) makes any more
        if attribution.is_locked(old[YEAR]):
            report.locked_differences.append((key, NO_SOURCE))
        else:
            report.deleted.append(key)
            writes.deleted.append((old[YEAR], old[0]))
    return writes


def _changes_write(writes: Writes) -> None:
    """The updates and deletions a chunk decided (its new facts go in by COPY), a year at a
    time: naming the year lets PostgreSQL touch that partition only."""
    deleted, updated = defaultdict(list), defaultdict(list)
    for year, pk in writes.deleted:
        deleted[year].append(pk)
    for year, fact in writes.updated:
        updated[year].append(fact)
    for year, pks in sorted(deleted.items()):
        rows_delete(PurchaseFact.objects.filter(year=year, pk__in=pks))
    for year, facts in sorted(updated.items()):
        PurchaseFact.objects.filter(year=year).bulk_update(facts, FIELDS, batch_size=1000)


def _held_elsewhere_drop(*, writes: Writes, year: int, report: RebuildReport) -> None:
    """Of the facts one year's rebuild would make, keep those no other year holds. One
    lookup of their keys in the other years' partitions (by index), only when a fact is
    missing. Held where the lock rules allow (an adjustment's locked year): not this
    year's to compare; held anywhere else: reported for the whole rebuild to move."""
    if not writes.created:
        return
    held = _years_holding(
        keys={_key_of(fact) for fact in writes.created},
        facts=PurchaseFact.objects.exclude(year=year),
    )
    if not held:
        return
    kept, dropped = [], set()
    for fact in writes.created:
        key = _key_of(fact)
        if key not in held:
            kept.append(fact)
            continue
        dropped.add(key)
        for stored in held[key]:
            if not fact["natural_year"] <= stored <= fact["year"]:
                report.misplaced.append((key, stored, fact["year"]))
    writes.created = kept
    report.created = [key for key in report.created if key not in dropped]
    report.facts_checked -= len(dropped)


def _earlier_twins_settle(*, writes: Writes, year: int, report: RebuildReport) -> None:
    """A row of this year's, of a fact sold or counted in another year, that an earlier year
    holds too is a second copy: the whole rebuild would keep the earlier row (a locked
    year's, or else the earliest) and delete this one, and so does one year's rebuild,
    reporting it as a twin (not as updated or misplaced). One lookup, only when such rows
    exist: a year holds few facts of other years' sales."""
    if not writes.doubtful:
        return
    earlier = _years_holding(
        keys={key for key, _pk in writes.doubtful},
        facts=PurchaseFact.objects.filter(year__lt=year),
    )
    twins = {key: pk for key, pk in writes.doubtful if key in earlier}
    writes.doubtful = []
    if not twins:
        return
    report.twins += [(key, year) for key in twins]
    writes.deleted += [(year, pk) for pk in twins.values()]
    report.misplaced = [m for m in report.misplaced if not (m[0] in twins and m[1] == year)]
    report.updated = [u for u in report.updated if u[0] not in twins]
    deleted = set(twins.values())
    writes.updated = [(y, fact) for y, fact in writes.updated if fact.pk not in deleted]


def _years_holding(*, keys: set[tuple], facts) -> dict[tuple, list[int]]:
    """The years in which `facts` (a PurchaseFact queryset) hold each of `keys`, in order;
    keys held nowhere are left out. A query per kind of key, by index."""
    events = {key[0] for key in keys if key[0] != OFFPLATFORM}
    sales = {key[1] for key in keys if key[0] == OFFPLATFORM}
    held = defaultdict(list)  # a key may be held in more than one year
    facts = facts.order_by("year")
    if events:
        for event, line, stored in facts.filter(payment_event__in=events).values_list(
            "payment_event_id", "line_id", "year"
        ):
            held[event, line].append(stored)
    if sales:
        for sale, kind, stored in facts.filter(offplatform_sale__in=sales).values_list(
            "offplatform_sale_id", "kind", "year"
        ):
            held[OFFPLATFORM, sale, kind].append(stored)
    return {key: years for key, years in held.items() if key in keys}


def _key_of(fact: dict) -> tuple:
    if fact["payment_event_id"] is None:
        return (OFFPLATFORM, fact["offplatform_sale_id"], fact["kind"])
    return (fact["payment_event_id"], fact["line_id"])
