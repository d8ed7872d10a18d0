"""For any lines (prices after any discount), and any sequence of refunds of units and of
amounts made in Stripe's dashboard: no line is ever refunded more than was paid for it,
and refunding every unit left closes every line exactly."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st
from oscar.core.loading import get_model

from marketplace.payment.services.settlement import refund_amount_split, refund_lines_value

Line = get_model("order", "Line")
ZERO = Decimal("0.00")


def _lines(specs) -> dict[int, Line]:
    return {
        pk: Line(pk=pk, quantity=quantity, line_price_incl_tax=Decimal(fen).scaleb(-2))
        for pk, (quantity, fen) in enumerate(specs, 1)
    }


def _book(done, rows):
    for line, units, money in rows:
        old_units, old_money = done.get(line.pk, (0, ZERO))
        done[line.pk] = (old_units + units, old_money + money)


line_specs = st.lists(
    st.tuples(st.integers(1, 12), st.integers(0, 500_000)), min_size=1, max_size=5
)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("units"), st.integers(1, 5), st.integers(1, 12)),
        st.tuples(st.just("amount"), st.integers(1, 300_000), st.just(0)),
    ),
    max_size=12,
)


@settings(max_examples=300, deadline=None)
@given(specs=line_specs, sequence=steps)
def test_refunds_never_exceed_what_was_paid_and_the_last_closes_every_line(specs, sequence):
    lines = _lines(specs)
    done: dict[int, tuple[int, Decimal]] = {}
    for kind, pick, size in sequence:
        if kind == "units":
            pk = (pick - 1) % len(lines) + 1
            left = lines[pk].quantity - done.get(pk, (0, ZERO))[0]
            if left == 0:
                continue
            rows = refund_lines_value(lines=lines, wanted={pk: min(size, left)}, done=done)
        else:
            rows = refund_amount_split(lines=lines, amount=Decimal(pick).scaleb(-2), done=done)
            assert sum(money for _l, _u, money in rows) <= Decimal(pick).scaleb(-2)
        assert all(money >= 0 for _l, _u, money in rows)
        _book(done, rows)
        for pk, (_units, money) in done.items():
            assert money <= lines[pk].line_price_incl_tax
    # Every unit left, refunded
    wanted = {
        pk: line.quantity - done.get(pk, (0, ZERO))[0]
        for pk, line in lines.items()
        if line.quantity > done.get(pk, (0, ZERO))[0]
    }
    if wanted:
        _book(done, refund_lines_value(lines=lines, wanted=wanted, done=done))
    for pk, line in lines.items():
        units, money = done.get(pk, (0, ZERO))
        assert units == line.quantity
        assert money == line.line_price_incl_tax
