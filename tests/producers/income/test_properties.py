"""Property-based checks of the allocation rules (DOMAIN invariants 1 and 3)."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from core.money import split_by_weights
from marketplace.order.selectors import line_units_value
from producers.income.services.engine import (
    REFUND,
    SETTLEMENT,
    EventInfo,
    LedgerState,
    LineInfo,
    Scheme,
    event_process,
    line_split,
)

DAY = datetime.date(2026, 5, 20)
KINDS = ("produce_supply", "wage_labour", "dividend")

fen = st.integers(min_value=-(10**9), max_value=10**9).map(lambda f: Decimal(f).scaleb(-2))
weight = st.one_of(
    st.integers(min_value=0, max_value=10**6),
    st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False, allow_infinity=False),
)
share = st.integers(min_value=0, max_value=10_000).map(lambda n: Decimal(n).scaleb(-4))


@st.composite
def schemes(draw):
    produce = draw(share)
    wage = draw(share.filter(lambda w: w <= 1 - produce))
    dividend = draw(share.filter(lambda d: d <= 1 - produce - wage))
    return Scheme(1, DAY, (produce, wage, dividend))


@st.composite
def kind_weights(draw):
    households = st.lists(
        st.tuples(st.integers(1, 60), weight), max_size=8, unique_by=lambda hw: hw[0]
    )
    return {kind: sorted(draw(households)) for kind in KINDS}


@given(total=fen, weights=st.lists(weight, min_size=1, max_size=30))
def test_parts_add_up_exactly_to_the_whole_for_any_amount_and_shares(total, weights):
    if not any(weights):
        weights[0] = 1
    parts = split_by_weights(total, weights)
    assert sum(parts) == total
    assert all(part == part.quantize(Decimal("0.01")) for part in parts)
    assert all(
        abs(part - total * Decimal(w) / sum(map(Decimal, weights))) < 1
        for part, w in zip(parts, weights, strict=True)
    )


@given(net=fen.filter(lambda a: a >= 0), scheme=schemes(), weights=kind_weights())
def test_a_line_split_adds_up_to_the_line_and_follows_the_scheme(net, scheme, weights):
    parts = line_split(net=net, scheme=scheme, weights=weights)

    assert sum(amount for _key, amount in parts) == net
    assert all(amount > 0 for _key, amount in parts)
    for kind, kind_share in zip(KINDS, scheme.shares, strict=True):
        got = sum(a for (_h, k, _s), a in parts if k == kind)
        if weights[kind] and any(w for _h, w in weights[kind]):
            assert abs(got - net * kind_share) <= Decimal("0.01")  # its share, to the fen
        else:
            assert got == 0  # nobody to receive it: retained


class FixedBenefits:
    def __init__(self, scheme, weights):
        self.scheme, self.weights = scheme, weights

    def for_line(self, line, day):
        return self.scheme, self.weights


def _settlement(event_id: int, order_id: int, lines: dict) -> EventInfo:
    """The store's paid event: every line's units at its price after discounts."""
    quantities = tuple((pk, line.quantity, line.price) for pk, line in lines.items())
    amount = sum((line.price for line in lines.values()), Decimal("0.00"))
    return EventInfo(event_id, order_id, SETTLEMENT, amount, DAY, quantities)


@st.composite
def refund_sequences(draw):
    """An order of 1–4 lines and a sequence of refunds as the store writes them: units
    priced by line_units_value (never more than is left of the line), or an amount made in
    Stripe's dashboard, named on lines with 0 units."""
    lines = {
        pk: LineInfo(pk, 1, 1, 1, draw(st.integers(1, 6)), draw(fen.filter(lambda a: a > 0)))
        for pk in range(1, draw(st.integers(1, 4)) + 1)
    }
    units_done = dict.fromkeys(lines, 0)
    left = {pk: line.price for pk, line in lines.items()}
    refunds = []
    for n in range(draw(st.integers(0, 6))):
        quantities = []
        picked = draw(st.lists(st.sampled_from(sorted(lines)), min_size=1, unique=True))
        by_units = draw(st.booleans())
        for pk in sorted(picked):
            line = lines[pk]
            if by_units and units_done[pk] < line.quantity:
                units = draw(st.integers(1, line.quantity - units_done[pk]))
                value = line_units_value(line=_line(line), units=units, already=units_done[pk])
                money = min(value, left[pk])
                units_done[pk] += units
            elif not by_units and left[pk] > 0:
                units = 0
                money = Decimal(draw(st.integers(1, int(left[pk].scaleb(2))))).scaleb(-2)
            else:
                continue
            left[pk] -= money
            quantities.append((pk, units, money))
        if quantities:
            amount = sum(m for _pk, _u, m in quantities)
            refunds.append(EventInfo(10 + n, 1, REFUND, amount, DAY, tuple(quantities)))
    # and a last refund of everything left (the dashboard's "refund the rest")
    rest = tuple(
        (pk, line.quantity - units_done[pk], left[pk])
        for pk, line in lines.items()
        if line.quantity > units_done[pk] or left[pk] > 0
    )
    return lines, refunds, rest


def _line(info: LineInfo) -> SimpleNamespace:
    return SimpleNamespace(pk=info.id, quantity=info.quantity, line_price_incl_tax=info.price)


def _balances(book: LedgerState) -> dict:
    out = {}
    for line in book.lines.values():
        for (household, kind, _scheme), amount in line.balances.items():
            out[(household, kind)] = out.get((household, kind), Decimal(0)) + amount
    return out


@settings(max_examples=300)
@given(
    sequence=refund_sequences(),
    scheme=schemes(),
    weights=kind_weights(),
    fee=st.integers(0, 2000).map(lambda n: Decimal(n).scaleb(-4)),
)
def test_any_refund_sequence_returns_every_household_to_its_exact_prior_balance(
    sequence, scheme, weights, fee
):
    lines, refunds, rest = sequence
    benefits = FixedBenefits(scheme, weights)
    book = LedgerState()
    # Given households with a prior balance from an earlier order
    earlier = {99: LineInfo(99, 0, 1, 1, 1, Decimal("57.31"))}
    event_process(
        event=_settlement(1, 0, earlier),
        lines=earlier,
        book=book,
        fee_rate=fee,
        benefits=benefits,
    )
    prior = _balances(book)

    # When an order settles and any sequence of refunds follows
    _m, settled = event_process(
        event=_settlement(2, 1, lines),
        lines=lines,
        book=book,
        fee_rate=fee,
        benefits=benefits,
    )
    original = {e.key + (e.line_id,): e.amount for e in settled}
    for refund in refunds:
        movements, entries = event_process(
            event=refund, lines=lines, book=book, fee_rate=fee, benefits=benefits
        )
        # each refund reverses exactly its net amount, never more than is left on a line
        assert sum(e.amount for e in entries) == -sum(m.net for m in movements)
        for line_id in lines:
            assert all(v >= 0 for v in book.lines[line_id].balances.values())
            assert all(
                book.lines[line_id].balances[key[:3]] <= amount
                for key, amount in original.items()
                if key[3] == line_id
            )

    # and a last refund of everything left
    last = EventInfo(99, 1, REFUND, sum(m for _pk, _u, m in rest), DAY, rest)
    if rest:
        event_process(event=last, lines=lines, book=book, fee_rate=fee, benefits=benefits)

    # Then every household is back exactly where it was
    after = _balances(book)
    for key in set(prior) | set(after):
        assert after.get(key, 0) == prior.get(key, 0), key
