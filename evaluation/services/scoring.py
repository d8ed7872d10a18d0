"""Scorecards from purchase facts.

A full refresh reads a year's facts in one GROUP BY (bought pairing, helped pairing,
product) carrying every indicator's aggregate, then adds the few groups up per pairing.
A settlement or refund applies its facts' contributions to the scorecards it touches
instead (`scorecards_apply`), in the transaction that writes the facts, so that each
settled order costs milliseconds whatever the number of facts. Both paths give the same
figures to the last digit: values are kept with four decimals, exact for a fen amount
times a two-decimal weight. Households and people driven are counted from the income
ledger (households whose income from the pairing's lines reaches the indicator's income
minimum, and their registered members: decision 0006), which its own task writes: what
it records after the facts shows at the nightly full refresh."""

import functools
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, router, transaction
from django.db.models import Count, F, Q, Subquery, Sum
from django.utils import timezone

from core.bulk import values_update
from core.statements import Statement
from core.transactions import retry_on_serialization_failure
from producers.income.selectors import (
    Reach,
    driven_gain_count,
    driven_gain_rows,
    households_driven_by_group,
)

from .. import measures
from ..models import Agreement, EvaluationYear, Indicator, PurchaseFact, Scorecard, ScorecardItem
from .errors import YearLocked

HUNDRED = Decimal("100")
POINT = Decimal("0.01")
ZERO = Decimal("0")
MONEY = (Indicator.Measure.AMOUNT_BOUGHT, Indicator.Measure.AMOUNT_HELPED)

TARGETS = {
    Indicator.TargetSource.AGREEMENT_BOUGHT: "target_bought",
    Indicator.TargetSource.AGREEMENT_HELPED: "target_helped",
    Indicator.TargetSource.AGREEMENT_HOUSEHOLDS: "target_households",
    Indicator.TargetSource.AGREEMENT_PEOPLE: "target_people",
    Indicator.TargetSource.AGREEMENT_PRODUCTS: "target_certified_products",
}


# What a settlement reads, compiled once per process (core.statements): the same dozen
# statements run on every settled order. Model rows are read as values and made into
# instances only where the code needs one (from_db: no signals, no defaults).
_YEAR_FIELDS = [f.attname for f in EvaluationYear._meta.concrete_fields]
_YEAR_AT = _YEAR_FIELDS.index("year")
_YEARS_FOR_UPDATE = Statement(
    lambda: EvaluationYear.objects.select_for_update().order_by("year").values_list(*_YEAR_FIELDS),
    model=EvaluationYear,
    for_update=True,
)
_INDICATOR_FIELDS = [f.attname for f in Indicator._meta.concrete_fields]
_INDICATOR_PK_AT = _INDICATOR_FIELDS.index(Indicator._meta.pk.attname)
_ITEMS = Statement(
    lambda *, year, pairings: (
        ScorecardItem.objects.filter(scorecard__year=year, scorecard__pairing_id__in=pairings)
        .annotate(
            year_indicators=Subquery(
                Indicator.objects.filter(year=year)
                .order_by()
                .values("year")
                .annotate(n=Count("pk"))
                .values("n")
            )
        )
        .values_list(
            "pk",
            "value",
            "weighted_value",
            "target",
            "score",
            "scorecard_id",
            "scorecard__pairing_id",
            "scorecard__total",
            "year_indicators",
            *(f"indicator__{name}" for name in _INDICATOR_FIELDS),
        )
    ),
    model=ScorecardItem,
)
_AGREEMENT_FIELDS = [f.attname for f in Agreement._meta.concrete_fields]
_AGREEMENT_PAIRING_AT = _AGREEMENT_FIELDS.index("pairing_id")
_AGREEMENTS = Statement(
    lambda *, year, pairings: (
        Agreement.objects.filter(year=year, pairing_id__in=pairings)
        .order_by()
        .values_list(*_AGREEMENT_FIELDS)
    ),
    model=Agreement,
)


def _indicator_of(measure: str, filter_: str, year: int) -> Indicator:
    """An unsaved indicator with what an indicator's facts query reads of it (see _shape)."""
    return Indicator(measure=measure, filter=filter_, year=year)


def _shape(indicator: Indicator) -> tuple:
    """What facts_for() reads of an indicator: its measure (role and scope), its filter and
    its year (the exited filter compares with it)."""
    return (indicator.measure, indicator.filter, indicator.year)


_KNOWN_PRODUCTS = Statement(
    lambda *shape, pairing_id, products, exclude: (
        facts_for(indicator=_indicator_of(*shape), pairing_id=pairing_id)
        .filter(product__in=products)
        .exclude(pk__in=exclude)
        .order_by()  # the model's ordering would make every fact distinct
        .values_list("product", flat=True)
        .distinct()
    ),
    model=PurchaseFact,
)
_DRIVEN_GAIN = Statement(
    lambda *shape, pairing_id, event_lines, event_id: driven_gain_rows(
        line_ids=facts_for(indicator=_indicator_of(*shape), pairing_id=pairing_id).values(
            "line_id"
        ),
        event_lines=event_lines,
        payment_event_id=event_id,
    ),
    model=PurchaseFact,
)


@functools.lru_cache(maxsize=256)
def _indicator(row: tuple) -> Indicator:
    """The indicator of a row of its column values: the same instance for the same values
    (never changed by its readers), one model instance less per item and settlement."""
    return Indicator.from_db(router.db_for_read(Indicator), _INDICATOR_FIELDS, row)


@dataclass(slots=True)
class _Card:
    pk: int
    pairing_id: int
    total: Decimal


@dataclass(slots=True)
class _Item:
    pk: int
    indicator_id: int
    value: Decimal
    weighted_value: Decimal
    target: Decimal | None
    score: Decimal


def _round_score(value) -> Decimal:
    return Decimal(value).quantize(POINT, rounding=ROUND_HALF_UP)


def facts_for(*, indicator: Indicator, pairing_id: int):
    """The facts behind one indicator of one pairing's scorecard (the drill-down)."""
    return PurchaseFact.objects.filter(
        measures.scope(indicator),
        year=indicator.year,
        **{measures.role_field(indicator): pairing_id},
    )


def indicator_values(
    *, year: int, indicators: list[Indicator], pairing_ids: list[int] | None
) -> tuple[dict[tuple[int, int], Decimal], dict[tuple[int, int], Decimal]]:
    """({(pairing id, indicator id): value}, {same: weighted value}) for the pairings (None:
    every pairing), from one GROUP BY, and one query per households or people indicator
    (one for both when they share filter and income minimum, as they should). A money
    value is the plain sum of amounts; the weighted one (only where an indicator weights
    priority counties, else absent: equal to the value) is what its score reads."""
    values: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    weighted: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    # Every pairing: no list of ids (some 1,600) for Django to build and PostgreSQL to test.
    wanted = None if pairing_ids is None else set(pairing_ids)
    grouped = [i for i in indicators if i.measure not in Indicator.LEDGER_MEASURES]
    if grouped and wanted != set():
        facts = PurchaseFact.objects.filter(year=year).filter(
            Q(bought_pairing__isnull=False) | Q(helped_pairing__isnull=False)
            if wanted is None
            else Q(bought_pairing__in=wanted) | Q(helped_pairing__in=wanted)
        )
        annotations = {}
        for ind in grouped:
            if ind.measure in MONEY:
                annotations[f"i{ind.pk}"] = Sum("amount", filter=measures.scope(ind))
                if ind.priority_extra_weight:
                    annotations[f"w{ind.pk}"] = Sum(
                        measures.weighted_amount(ind),
                        filter=measures.scope(ind),
                        output_field=measures.MONEY,
                    )
            else:  # counted per product group; products with any counted sale add up below
                annotations[f"i{ind.pk}"] = Count("pk", filter=measures.scope(ind))
        rows = (
            facts.order_by()
            .values("bought_pairing", "helped_pairing", "product")
            .annotate(**annotations)
        )
        products = defaultdict(set)
        for row in rows:  # groups of (pairing, pairing, product): few, whatever the facts
            for ind in grouped:
                pairing_id = row[measures.role_field(ind)]
                value = row[f"i{ind.pk}"]
                if pairing_id is None or not value:
                    continue
                if wanted is not None and pairing_id not in wanted:
                    continue
                if ind.measure in MONEY:
                    values[(pairing_id, ind.pk)] += value
                    if ind.priority_extra_weight:
                        weighted[(pairing_id, ind.pk)] += row[f"w{ind.pk}"]
                elif row["product"] is not None:
                    products[(pairing_id, ind.pk)].add(row["product"])
        for key, found in products.items():
            values[key] = Decimal(len(found))
    driven: dict[tuple, dict] = {}  # (role, filter, minimum) -> {pairing id: Reach}
    for ind in indicators:
        if ind.measure not in Indicator.LEDGER_MEASURES or wanted == set():
            continue
        role = measures.role_field(ind)
        key = (role, ind.filter, ind.income_minimum)
        if key not in driven:
            of_pairings = {f"{role}__isnull": False} if wanted is None else {f"{role}__in": wanted}
            driven[key] = households_driven_by_group(
                line_groups=PurchaseFact.objects.filter(
                    measures.scope(ind), year=year, **of_pairings
                ).values(group_key=F(role), line_key=F("line_id")),
                minimum=ind.income_minimum,
            )
        for pairing_id, reach in driven[key].items():
            values[(pairing_id, ind.pk)] = Decimal(_headcount(ind, reach))
    return values, weighted


def _headcount(indicator: Indicator, reach: Reach) -> int:
    if indicator.measure == Indicator.Measure.PEOPLE:
        return reach.people
    return reach.households


def score(*, indicator: Indicator, value: Decimal, target: Decimal | None) -> Decimal:
    if target is None:
        return Decimal("0.00")
    if indicator.rule == Indicator.Rule.ALL_OR_NOTHING:
        return HUNDRED.quantize(POINT) if value >= target else Decimal("0.00")
    if target <= 0:
        return HUNDRED.quantize(POINT)
    return _round_score(min(value / target, Decimal("1")) * HUNDRED)


def target_of(*, indicator: Indicator, agreement: Agreement) -> Decimal | None:
    if indicator.target_source == Indicator.TargetSource.FIXED:
        return indicator.target_fixed
    return Decimal(getattr(agreement, TARGETS[indicator.target_source]))


def _total(scores: list[tuple[int, Decimal]], weights: dict[int, Decimal]) -> Decimal:
    """The weighted mean of (indicator id, score) pairs."""
    weight_sum = sum(weights.values(), ZERO)
    if not weight_sum:
        return Decimal("0.00")
    return _round_score(sum((points * weights[pk] for pk, points in scores), ZERO) / weight_sum)


def years_for_update() -> dict[int, EvaluationYear]:
    """Every year's row, locked in year order: no year can be locked (year_lock) while the
    caller writes facts into it."""
    alias = router.db_for_write(EvaluationYear)
    return {
        row[_YEAR_AT]: EvaluationYear.from_db(alias, _YEAR_FIELDS, row)
        for row in _YEARS_FOR_UPDATE.rows()
    }


def _locked_year(year: int) -> EvaluationYear:
    """The year's row, locked: serialises refreshes, settlements and locking of a year."""
    config = EvaluationYear.objects.select_for_update().filter(year=year).first()
    if config is None:  # first use of the year: create, then lock like any other
        EvaluationYear.objects.get_or_create(year=year)
        config = EvaluationYear.objects.select_for_update().get(year=year)
    if config.is_locked:
        raise YearLocked(year)
    return config


@retry_on_serialization_failure
@transaction.atomic
def scorecards_refresh(*, year: int, pairing_ids: list[int] | None = None) -> list[Scorecard]:
    """Recompute the scorecards of a year (of some pairings only, when given) from its
    facts, then the ranks of all of the year's scorecards. Never touches a locked year."""
    config = _locked_year(year)
    indicators = list(Indicator.objects.filter(year=year))
    agreements = Agreement.objects.filter(year=year)
    stale = Scorecard.objects.filter(year=year)
    if pairing_ids is not None:
        # Pairings with an agreement but no scorecard yet join in: every pairing with
        # targets is ranked, even at zero.
        unscored = agreements.exclude(pairing__scorecards__year=year).values("pairing_id")
        agreements = agreements.filter(Q(pairing_id__in=pairing_ids) | Q(pairing_id__in=unscored))
        stale = stale.filter(pairing_id__in=pairing_ids)
    # Cards of pairings that no longer have an agreement go, with their items (rare).
    stale.exclude(pairing_id__in=agreements.values("pairing_id")).delete()
    agreements = list(agreements)
    cards = {pairing_id: pk for pk, pairing_id in stale.values_list("pk", "pairing_id")}
    items = {
        (pairing_id, indicator_id): (pk, value, by, target, points)
        for pk, pairing_id, indicator_id, value, by, target, points in ScorecardItem.objects.filter(
            scorecard__in=stale
        ).values_list(
            "pk",
            "scorecard__pairing_id",
            "indicator_id",
            "value",
            "weighted_value",
            "target",
            "score",
        )
    }
    # Items of an indicator no longer in the year (its year was edited) go.
    year_indicators = {ind.pk for ind in indicators}
    stray = [row[0] for (_p, pk), row in items.items() if pk not in year_indicators]
    if stray:
        ScorecardItem.objects.filter(pk__in=stray).delete()
    values, weighted = indicator_values(
        year=year,
        indicators=indicators,
        pairing_ids=None if pairing_ids is None else [a.pairing_id for a in agreements],
    )
    weights = {ind.pk: ind.weight for ind in indicators}
    now = timezone.now()
    # A year has some 1,600 pairings, and a nightly refresh mostly confirms what the
    # settlements added: existing rows are updated in one statement, and items only where
    # they changed; new cards and items are inserted in one statement each.
    new_cards, cards_changed, items_new, items_changed = [], [], [], []
    for agreement in agreements:
        pairing_id = agreement.pairing_id
        scored = []
        for ind in indicators:
            value = values[(pairing_id, ind.pk)]
            by = weighted[(pairing_id, ind.pk)] if ind.priority_extra_weight else value
            target = target_of(indicator=ind, agreement=agreement)
            points = score(indicator=ind, value=by, target=target)
            scored.append((ind, value, by, target, points))
        total = _total([(ind.pk, points) for ind, _v, _w, _t, points in scored], weights)
        grade = config.grade_for(total)
        card = Scorecard(
            pk=cards.get(pairing_id), pairing_id=pairing_id, year=year, total=total, grade=grade
        )
        if card.pk is None:
            card.rank = 0  # until _rerank below
            new_cards.append(card)
        else:
            cards_changed.append((card.pk, total, grade, now))
        for ind, value, by, target, points in scored:
            old = items.get((pairing_id, ind.pk))
            if old is None:  # a new card's items get its id when it is inserted
                items_new.append(
                    ScorecardItem(
                        scorecard=card,
                        indicator=ind,
                        value=value,
                        weighted_value=by,
                        target=target,
                        score=points,
                    )
                )
            elif old[1:] != (value, by, target, points):
                items_changed.append((old[0], value, by, target, points))
    Scorecard.objects.bulk_create(new_cards)
    values_update(model=Scorecard, fields=["total", "grade", "computed_at"], rows=cards_changed)
    values_update(
        model=ScorecardItem,
        fields=["value", "weighted_value", "target", "score"],
        rows=items_changed,
    )
    ScorecardItem.objects.bulk_create(items_new)
    _rerank(year=year)
    return list(Scorecard.objects.filter(year=year).order_by("-total", "pairing_id"))


def scorecards_apply(
    *, year: int, facts: list[PurchaseFact], config: EvaluationYear | None = None
) -> None:
    """Add newly written facts of an open year to the scorecards they touch. Called in the
    transaction that writes them, so that a replayed event (which writes nothing) never
    adds twice. A pairing without a scorecard yet gets a full refresh instead. `config`:
    the year's row when the caller already holds it locked (see years_for_update)."""
    if config is None:
        config = _locked_year(year)
    elif config.is_locked:
        raise YearLocked(year)
    touched = {p for f in facts for p in (f.bought_pairing_id, f.helped_pairing_id)} - {None}
    if not touched:
        return
    # No row locks of their own: every writer of a year's scorecards holds its year row.
    # Each item comes with its card, its indicator and the year's number of indicators.
    cards, items_of, indicators, indicator_count = {}, defaultdict(list), {}, 0
    pairings = sorted(touched)
    for pk, value, by, target, points, card_pk, pairing_id, total, count, *indicator in _ITEMS.rows(
        year=year, pairings=pairings
    ):
        card = cards.get(pairing_id)
        if card is None:
            card = cards[pairing_id] = _Card(card_pk, pairing_id, total)
        item = _Item(pk, indicator[_INDICATOR_PK_AT], value, by, target, points)
        items_of[card.pk].append(item)
        if item.indicator_id not in indicators:
            indicators[item.indicator_id] = _indicator(tuple(indicator))
        indicator_count = count
    alias = router.db_for_read(Agreement)
    agreements = {
        row[_AGREEMENT_PAIRING_AT]: Agreement.from_db(alias, _AGREEMENT_FIELDS, row)
        for row in _AGREEMENTS.rows(year=year, pairings=pairings)
    }
    # Pairings without a scorecard, or (a year without indicators) without items.
    unscored = [p for p in agreements if p not in cards]
    if unscored:
        scorecards_refresh(year=year, pairing_ids=unscored)
    # A card holds one item per indicator (unique): it is complete when it has as many
    # items as the year has indicators, all of them the year's.
    if any(ind.year != year for ind in indicators.values()) or any(
        len(items_of[c.pk]) != indicator_count for c in cards.values()
    ):
        scorecards_refresh(year=year, pairing_ids=list(cards))  # indicators changed since
        return
    new_ids = [f.pk for f in facts]
    gains: dict[tuple, Reach] = {}  # households and people indicators alike: one reading
    changed_items, changed_cards, moves = [], [], {}  # card pk -> (old total, new total)
    weights = {pk: ind.weight for pk, ind in indicators.items()}
    now = timezone.now()
    for pairing_id, card in cards.items():
        agreement = agreements.get(pairing_id)
        if agreement is None:
            continue
        items = items_of[card.pk]
        for item in items:
            ind = indicators[item.indicator_id]
            before = (item.value, item.weighted_value, item.target, item.score)
            mine = [
                f
                for f in facts
                if getattr(f, f"{measures.role_field(ind)}_id") == pairing_id
                and measures.in_scope(ind, f)
            ]
            if ind.measure in MONEY:
                item.value += sum((f.amount for f in mine), ZERO)
                item.weighted_value += sum((measures.weighted(ind, f) for f in mine), ZERO)
            elif ind.measure == Indicator.Measure.CERTIFIED_PRODUCTS:
                item.value += _new_products(
                    indicator=ind, pairing_id=pairing_id, facts=mine, exclude=new_ids
                )
            else:  # households or people driven
                key = (pairing_id, measures.role_field(ind), ind.filter, ind.income_minimum)
                if key not in gains:
                    gains[key] = _driven_gain(indicator=ind, pairing_id=pairing_id, facts=mine)
                item.value += Decimal(_headcount(ind, gains[key]))
            item.target = target_of(indicator=ind, agreement=agreement)
            if ind.measure not in MONEY:
                item.weighted_value = item.value  # counts are not weighted
            item.score = score(indicator=ind, value=item.weighted_value, target=item.target)
            if (item.value, item.weighted_value, item.target, item.score) != before:
                changed_items.append(
                    (item.pk, item.value, item.weighted_value, item.target, item.score)
                )
        total = _total([(i.indicator_id, i.score) for i in items], weights)
        if total != card.total:
            moves[card.pk] = (card.total, total)
        changed_cards.append((card.pk, total, config.grade_for(total), now))
    # Only what changed is written: each statement is a round trip inside the settlement.
    values_update(
        model=ScorecardItem,
        fields=["value", "weighted_value", "target", "score"],
        rows=changed_items,
    )
    values_update(model=Scorecard, fields=["total", "grade", "computed_at"], rows=changed_cards)
    _rerank_if_moved(year=year, moves=moves)


def _driven_gain(*, indicator, pairing_id: int, facts) -> Reach:
    """Households (and their members) the facts' payment events newly drive, or no longer
    drive, through the pairing's lines: a refund that takes a household's income from
    them below the indicator's minimum takes it off. The ledger is written by the income
    task, which may run after this one: what it adds later is counted by the nightly full
    refresh."""
    households = people = 0
    for event_id in sorted({f.payment_event_id for f in facts}):
        gain = driven_gain_count(
            rows=_DRIVEN_GAIN.rows(
                shape=_shape(indicator),
                pairing_id=pairing_id,
                event_lines=sorted({f.line_id for f in facts if f.payment_event_id == event_id}),
                event_id=event_id,
            ),
            minimum=indicator.income_minimum,
        )
        households += gain.households
        people += gain.people
    return Reach(households, people)


def _new_products(*, indicator, pairing_id: int, facts, exclude: list[int]) -> int:
    """Products among `facts` that had no counted sale for the pairing before them."""
    products = {f.product_id for f in facts if f.product_id is not None}
    if not products:
        return 0
    known = set(
        _KNOWN_PRODUCTS.rows(
            shape=_shape(indicator),
            pairing_id=pairing_id,
            products=sorted(products),
            exclude=sorted(exclude),
        )
    )
    return len(products - known)


def _rerank_if_moved(*, year: int, moves: dict) -> None:
    """Rerank if totals moving as `moves` says ({card pk: (old, new)}) can change a rank:
    only if another card's total lies between a card's old and new total (ties included),
    or several cards moved. A year has some 1,600 cards, and most settlements move one card
    a little past no other: the ranking's statement then asks that one EXISTS first and
    stops there, ranking none and writing none (one round trip either way)."""
    if len(moves) > 1:
        _rerank(year=year)
    elif moves:
        [(pk, (old, new))] = moves.items()
        _rerank(year=year, passed=(pk, min(old, new), max(old, new)))


def _rerank(*, year: int, passed: tuple | None = None) -> None:
    """Competition ranking (1, 2, 2, 4) by total over a year's scorecards: one statement,
    writing only the ranks that moved. `passed`: (card pk, low, high): only if another card
    of the year has a total from low to high (else nothing is ranked: PostgreSQL runs the
    EXISTS once, before the ranking)."""
    sql, sql_passed = _rerank_statements()
    with connection.cursor() as cursor:
        if passed is None:
            cursor.execute(sql, [year])
        else:
            pk, low, high = passed
            cursor.execute(sql_passed, [year, year, low, high, pk])


@functools.lru_cache(maxsize=1)
def _rerank_statements() -> tuple[str, str]:
    quote = connection.ops.quote_name
    table = quote(Scorecard._meta.db_table)
    rank, total, year = quote("rank"), quote("total"), quote("year")
    # Identifiers quoted by Django from the model; values are parameters.
    sql = (
        f"UPDATE {table} SET {rank} = ranked.position FROM ("  # noqa: S608
        f"SELECT id, RANK() OVER (ORDER BY {total} DESC) AS position FROM {table} "
        f"WHERE {year} = %s) AS ranked "
        f"WHERE {table}.id = ranked.id AND {table}.{rank} <> ranked.position"
    )
    passed = (
        f"{sql} AND EXISTS (SELECT 1 FROM {table} other WHERE other.{year} = %s "  # noqa: S608
        f"AND other.{total} BETWEEN %s AND %s AND other.id <> %s)"
    )
    return sql, passed


def scorecards_refresh_open_years() -> list[Scorecard]:
    years = set(Agreement.objects.values_list("year", flat=True).distinct())
    locked = set(
        EvaluationYear.objects.filter(locked_at__isnull=False).values_list("year", flat=True)
    )
    refreshed = []
    for year in sorted(years - locked):
        refreshed.extend(scorecards_refresh(year=year))
    return refreshed
