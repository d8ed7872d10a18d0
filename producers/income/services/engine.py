"""The allocation rules as pure functions over plain data, shared by the live path (tasks)
and the rebuild, so both compute the same ledger by construction.

A line's money is what its payment event carries for it (`PaymentEventQuantity.amount`,
after discounts, priced by the store): never recomputed here from prices (invariant 9).

A settlement splits each line's net amount (gross less the platform fee) first between the
scheme's kinds and the cooperative's remainder, then each kind's part between the
households by their weights: all to the fen, largest remainder, ties to the lower
household id. A refund reverses, line by line, a share of what is still on the ledger
for that line: split by the remaining balances, so no entry is ever over-reversed and the
last refund returns every balance exactly to zero."""

import logging
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from core.money import integer_weights, split_by_weights, split_fen, to_yuan

from ..models import EntryKind

logger = logging.getLogger(__name__)

KINDS = (EntryKind.PRODUCE_SUPPLY, EntryKind.WAGE_LABOUR, EntryKind.DIVIDEND)
RETAINED = EntryKind.COOPERATIVE_RETAINED
ZERO = Decimal("0.00")
SETTLEMENT, REFUND = "settlement", "refund"


class NegativeLineAmount(ValueError):
    """A settlement names an order line priced below zero: nothing of the event goes on
    the ledger (a negative line would take income from households, and the order's other
    lines were not paid in full either)."""

    def __init__(self, *, event_id: int, line_id: int, price: Decimal):
        self.event_id, self.line_id, self.price = event_id, line_id, price
        super().__init__(f"payment event {event_id}: order line {line_id} is priced {price}")


@dataclass(frozen=True)
class Scheme:
    id: int
    effective_from: date
    shares: tuple[Decimal, Decimal, Decimal]  # produce, wage, dividend


@dataclass(frozen=True)
class LineInfo:
    id: int
    order_id: int
    cooperative_id: int | None
    product_id: int | None
    quantity: int
    price: Decimal  # the line's price including tax and discounts


@dataclass(frozen=True)
class EventInfo:
    id: int
    order_id: int
    kind: str  # SETTLEMENT or REFUND
    amount: Decimal
    day: date
    # (line id, units, amount) per line the event names: the event's own money for that
    # line. A refund made in Stripe's dashboard names its lines with 0 units.
    quantities: tuple[tuple[int, int, Decimal], ...]


@dataclass
class Movement:
    event_id: int
    line_id: int
    kind: str
    quantity: int | None
    gross: Decimal
    fee: Decimal
    net: Decimal


class Entry(NamedTuple):
    # A named tuple, not a dataclass: bulk allocation makes a dozen per line.
    event_id: int
    line_id: int
    cooperative_id: int
    household_id: int | None
    kind: str
    scheme_id: int | None
    amount: Decimal
    day: date

    @property
    def key(self) -> tuple:
        return (self.household_id, self.kind, self.scheme_id)


def part_order(key: tuple) -> tuple:
    """Deterministic order of a line's balances: households by id, the remainder last."""
    household_id, kind, scheme_id = key
    return (household_id is None, household_id or 0, kind, scheme_id or 0)


@lru_cache(maxsize=4096)
def _kind_weights(shares: tuple[Decimal, Decimal, Decimal]) -> tuple[int, ...]:
    """Integer weights of (produce, wage, dividend, remainder) with the scheme's exact ratios."""
    return tuple(integer_weights([*shares, Decimal(1) - sum(shares)]))


def _fen(amount: Decimal) -> int:
    return int(amount.scaleb(2))


@lru_cache(maxsize=65536)
def _yuan(fen: int) -> Decimal:
    # Cached: the same few thousand amounts recur across a batch's ledger entries.
    return Decimal(fen).scaleb(-2)


class SplitPlan:
    """How a line's net amount is split under one scheme and one set of household weights,
    prepared once (integer weights and their sums, households with a positive weight in id
    order) and applied to every line sold under them."""

    __slots__ = ("scheme_id", "kind_weights", "kind_sum", "people")

    def __init__(self, scheme: Scheme | None, weights: dict[str, list[tuple[int, Decimal]]]):
        self.scheme_id = scheme.id if scheme is not None else None
        self.kind_weights = _kind_weights(scheme.shares) if scheme is not None else None
        self.kind_sum = sum(self.kind_weights) if scheme is not None else 0
        # Per kind: (kind, household ids, integer weights, their sum), or None if no one.
        self.people = []
        for kind in KINDS:
            pairs = [(h, w) for h, w in weights.get(kind) or () if w > 0]
            if not pairs:
                self.people.append(None)
                continue
            integers = tuple(integer_weights([w for _h, w in pairs]))
            self.people.append((kind, tuple(h for h, _w in pairs), integers, sum(integers)))

    def split_fen(self, net_fen: int) -> list[tuple[int | None, str, int | None, int]]:
        """[(household id | None, kind, scheme id, fen)]: households by kind in id order,
        then the cooperative's remainder; parts of zero left out."""
        if self.kind_weights is None:
            return [(None, RETAINED, None, net_fen)] if net_fen else []
        kind_parts = split_fen(net_fen, self.kind_weights, weight_sum=self.kind_sum)
        scheme_id = self.scheme_id
        parts = []
        retained = kind_parts[3]
        for people, kind_part in zip(self.people, kind_parts[:3], strict=True):
            if not kind_part or people is None:
                retained += kind_part  # no one to receive it: it stays with the cooperative
                continue
            kind, households, weights, weight_sum = people
            amounts = split_fen(kind_part, weights, weight_sum=weight_sum)
            parts.extend(
                (household_id, kind, scheme_id, fen)
                for household_id, fen in zip(households, amounts, strict=True)
                if fen
            )
        if retained:
            parts.append((None, RETAINED, scheme_id, retained))
        return parts


def line_split(
    *, net: Decimal, scheme: Scheme | None, weights: dict[str, list[tuple[int, Decimal]]]
) -> list[tuple[tuple, Decimal]]:
    """Split one line's net amount: [((household id | None, kind, scheme id), amount)].
    `weights` gives, per kind, (household id, weight) pairs sorted by household id.
    Integer fen throughout (exact, and fast enough for bulk allocation)."""
    return [
        ((household_id, kind, scheme_id), _yuan(fen))
        for household_id, kind, scheme_id, fen in SplitPlan(scheme, weights).split_fen(_fen(net))
    ]


def reverse_share(
    *, balances: dict[tuple, Decimal], amount: Decimal
) -> list[tuple[tuple, Decimal]]:
    """Negative parts reversing `amount` of a line's remaining positive balances, in
    proportion to them. Each part is at most its balance (a floor or ceiling of a share no
    larger than a whole number of fen), so the last refund zeroes every balance."""
    keys = sorted((k for k, v in balances.items() if v > 0), key=part_order)
    if not keys or amount <= 0:
        return []
    amounts = split_by_weights(amount, [balances[k] for k in keys])
    return [(k, -a) for k, a in zip(keys, amounts, strict=True) if a]


@dataclass
class LineLedgerState:
    """What the ledger holds for one order line."""

    settled_gross: Decimal = ZERO
    settled_net: Decimal = ZERO
    settled_quantity: int = 0
    refunded_gross: Decimal = ZERO
    refunded_net: Decimal = ZERO
    refunded_quantity: int = 0
    balances: dict[tuple, Decimal] = field(default_factory=dict)


class LedgerState:
    """Per-line ledger state the engine reads and updates: loaded from the database for
    the live path, built from nothing by the rebuild."""

    def __init__(self, *, tracking: bool = True):
        self.lines: dict[int, LineLedgerState] = {}
        # A batch of settlements only, with no refund to follow, needs no state: the live
        # path then skips the bookkeeping.
        self.tracking = tracking

    def line(self, line_id: int) -> LineLedgerState:
        book = self.lines.get(line_id)
        if book is None:
            book = self.lines[line_id] = LineLedgerState()
        return book

    def apply(self, movement: Movement, entries: list[Entry]) -> None:
        if not self.tracking:
            return
        book = self.line(movement.line_id)
        if movement.kind == SETTLEMENT:
            book.settled_gross += movement.gross
            book.settled_net += movement.net
            book.settled_quantity += movement.quantity or 0
        else:
            book.refunded_gross += movement.gross
            book.refunded_net += movement.net
            book.refunded_quantity += movement.quantity or 0
        balances = book.balances
        for entry in entries:
            key = (entry.household_id, entry.kind, entry.scheme_id)
            balances[key] = balances.get(key, ZERO) + entry.amount


def fee_for(gross: Decimal, rate: Decimal) -> Decimal:
    return to_yuan(gross * rate)


def event_lines(event: EventInfo, lines: dict[int, LineInfo]):
    """(line, units, amount) an event names, by line id."""
    return sorted(
        (
            (lines[line_id], units, amount)
            for line_id, units, amount in event.quantities
            if line_id in lines and lines[line_id].order_id == event.order_id
        ),
        key=lambda row: row[0].id,
    )


def event_process(
    *,
    event: EventInfo,
    lines: dict[int, LineInfo],
    book: LedgerState,
    fee_rate: Decimal,
    benefits,
) -> tuple[list[Movement], list[Entry]]:
    """Movements and ledger entries of one payment event; updates `book`. `benefits`
    answers `for_line(line, day) -> (Scheme | None, weights)`, and may answer
    `plan_for(line, day) -> SplitPlan` to share one prepared plan among many lines."""
    movements: list[Movement] = []
    entries: list[Entry] = []
    if event.kind == SETTLEMENT:
        plan_for = getattr(benefits, "plan_for", None)
        event_id, day = event.id, event.day
        for line, units, amount in event_lines(event, lines):
            if line.price < 0 or amount < 0:
                # The database refuses such a line; if one gets through all the same, the
                # event is refused, loudly, rather than written as negative income.
                price = min(line.price, amount)
                logger.error(
                    "Payment event %s settles order line %s at %s: not allocated",
                    event_id,
                    line.id,
                    price,
                )
                raise NegativeLineAmount(event_id=event_id, line_id=line.id, price=price)
            if line.cooperative_id is None or (units <= 0 and amount <= 0):
                continue
            gross = to_yuan(amount)
            fee = fee_for(gross, fee_rate)
            movement = Movement(event_id, line.id, SETTLEMENT, units, gross, fee, gross - fee)
            if plan_for is not None:
                plan = plan_for(line, day)
            else:
                plan = SplitPlan(*benefits.for_line(line, day))
            line_id, cooperative_id = line.id, line.cooperative_id
            new = [
                Entry(
                    event_id,
                    line_id,
                    cooperative_id,
                    household_id,
                    kind,
                    scheme_id,
                    _yuan(fen),
                    day,
                )
                for household_id, kind, scheme_id, fen in plan.split_fen(_fen(movement.net))
            ]
            book.apply(movement, new)
            movements.append(movement)
            entries.extend(new)
        return movements, entries

    for line, units, gross in _refund_gross(event, lines, book):
        line_book = book.line(line.id)
        gross_after = line_book.refunded_gross + gross
        if gross_after >= line_book.settled_gross:
            net_after = line_book.settled_net
        else:
            net_after = to_yuan(line_book.settled_net * gross_after / line_book.settled_gross)
        net = net_after - line_book.refunded_net
        movement = Movement(event.id, line.id, REFUND, units, gross, gross - net, net)
        new = [
            Entry(event.id, line.id, line.cooperative_id, key[0], key[1], key[2], amount, event.day)
            for key, amount in reverse_share(balances=line_book.balances, amount=net)
        ]
        book.apply(movement, new)
        movements.append(movement)
        entries.extend(new)
    return movements, entries


def _refund_gross(event: EventInfo, lines: dict[int, LineInfo], book: LedgerState):
    """(line, units | None, gross refunded) for each settled line a refund names: the
    refund's own amount for the line, never more than is left of it on the ledger."""
    out = []
    for line, units, amount in event_lines(event, lines):
        line_book = book.lines.get(line.id)
        if line_book is None or line_book.settled_gross <= 0 or amount <= 0:
            continue
        left = line_book.settled_gross - line_book.refunded_gross
        gross = min(to_yuan(amount), left)
        if gross < amount:
            # The store prices refunds within what was paid: this is a fault upstream.
            logger.error(
                "Refund event %s: line %s refunds %s, only %s left; %s reversed",
                event.id,
                line.id,
                amount,
                left,
                gross,
            )
        if gross > 0:
            out.append((line, units or None, gross))
    return out
