"""For any basket, any discounts and any sequence of refunds (units from the dashboard,
amounts from Stripe's dashboard), the store's refund pricing and the ledger agree: no
refund returns more than was paid for a line, the ledger reverses exactly what the store
refunded, and the last refund returns every balance to exactly zero (invariant 9)."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from core.money import split_by_weights
from marketplace.payment.services.settlement import refund_amount_split, refund_lines_value
from producers.income.services.engine import (
    REFUND,
    SETTLEMENT,
    EventInfo,
    LedgerState,
    LineInfo,
    Scheme,
    event_process,
)

DAY = datetime.date(2026, 5, 20)
ZERO = Decimal("0.00")
SCHEME = Scheme(1, DAY, (Decimal("0.3000"), Decimal("0.1000"), Decimal("0.0500")))
WEIGHTS = {
    "produce_supply": [(1, Decimal(1)), (2, Decimal(3))],
    "wage_labour": [(3, Decimal("20.0"))],
    "dividend": [(4, Decimal(2000)), (5, Decimal(6000))],
}


class Benefits:
    def for_line(self, line, day):
        return SCHEME, WEIGHTS


def _yuan(fen: int) -> Decimal:
    return Decimal(fen).scaleb(-2)


@st.composite
def discounted_baskets(draw):
    """Lines (units, unit price) of up to three cooperatives, then a percentage off every
    line (rounded per line) and a fixed amount off the basket (split by line value, never
    below zero): each line's price after discounts, as Oscar stores it."""
    basket = draw(
        st.lists(st.tuples(st.integers(1, 7), st.integers(1, 50_000)), min_size=1, max_size=4)
    )
    percent = draw(st.integers(0, 100))
    fixed = draw(st.integers(0, 30_000))
    before = [units * price for units, price in basket]
    after_percent = [fen - (fen * percent + 50) // 100 for fen in before]
    total = sum(after_percent)
    off = split_by_weights(_yuan(min(fixed, total)), after_percent) if total else []
    lines = {}
    for pk, ((units, _price), fen) in enumerate(zip(basket, after_percent, strict=True), 1):
        price = _yuan(fen) - (off[pk - 1] if off else ZERO)
        lines[pk] = SimpleNamespace(pk=pk, quantity=units, line_price_incl_tax=price)
    steps = draw(
        st.lists(
            st.one_of(
                st.tuples(st.just("units"), st.sampled_from(sorted(lines)), st.integers(1, 7)),
                st.tuples(st.just("stripe"), st.just(0), st.integers(1, 2_000_000)),
            ),
            max_size=10,
        )
    )
    return lines, steps


@settings(max_examples=300, deadline=None)
@given(basket=discounted_baskets())
def test_refunds_never_exceed_what_was_paid_and_the_last_closes_every_balance(basket):
    lines, steps = basket
    infos = {
        pk: LineInfo(pk, 1, 1 + pk % 3, pk, line.quantity, line.line_price_incl_tax)
        for pk, line in lines.items()
    }
    paid = sum((line.line_price_incl_tax for line in lines.values()), ZERO)
    book = LedgerState()
    settlement = EventInfo(
        1,
        1,
        SETTLEMENT,
        paid,
        DAY,
        tuple((pk, line.quantity, line.line_price_incl_tax) for pk, line in lines.items()),
    )
    event_process(event=settlement, lines=infos, book=book, fee_rate=ZERO, benefits=Benefits())
    done: dict[int, tuple[int, Decimal]] = {}

    def refund(event_id: int, rows) -> None:
        rows = [(line, units, money) for line, units, money in rows if units or money]
        if not rows:
            return
        for line, units, money in rows:
            assert money >= 0
            units_done, money_done = done.get(line.pk, (0, ZERO))
            done[line.pk] = (units_done + units, money_done + money)
            # never more back than was paid for the line, nor more units than it had
            assert done[line.pk][1] <= line.line_price_incl_tax
            assert done[line.pk][0] <= line.quantity
        quantities = tuple((line.pk, units, money) for line, units, money in rows)
        amount = sum(money for _line, _units, money in rows)
        movements, entries = event_process(
            event=EventInfo(event_id, 1, REFUND, amount, DAY, quantities),
            lines=infos,
            book=book,
            fee_rate=ZERO,
            benefits=Benefits(),
        )
        # the ledger reverses exactly what the store refunded, to the fen
        assert sum(m.gross for m in movements) == amount
        assert -sum(e.amount for e in entries) == amount

    for event_id, (how, pk, number) in enumerate(steps, start=10):
        if how == "units":
            left = lines[pk].quantity - done.get(pk, (0, ZERO))[0]
            if left:
                wanted = {pk: min(number, left)}
                refund(event_id, refund_lines_value(lines=lines, wanted=wanted, done=done))
        else:
            amount = _yuan(number)
            refund(event_id, refund_amount_split(lines=lines, amount=amount, done=done))
        assert sum((money for _u, money in done.values()), ZERO) <= paid

    # The dashboard's "refund the rest": every unit not yet refunded
    rest = {pk: line.quantity - done.get(pk, (0, ZERO))[0] for pk, line in lines.items()}
    rest = {pk: units for pk, units in rest.items() if units}
    if rest:
        refund(99, refund_lines_value(lines=lines, wanted=rest, done=done))

    assert sum((money for _u, money in done.values()), ZERO) == paid
    for line_book in book.lines.values():
        assert line_book.refunded_gross == line_book.settled_gross
        assert all(amount == 0 for amount in line_book.balances.values())
