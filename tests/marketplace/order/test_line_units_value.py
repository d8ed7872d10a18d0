"""line_units_value: what the buyer paid, after discounts, for some units of a line."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from oscar.core.loading import get_model

from marketplace.order.selectors import line_units_value

Line = get_model("order", "Line")


def _line(*, price: str, quantity: int, unit_price: str | None = None) -> Line:
    # Unsaved: line_units_value reads only the line's price after discounts and quantity.
    return Line(
        pk=1,
        quantity=quantity,
        line_price_incl_tax=Decimal(price),
        unit_price_incl_tax=Decimal(unit_price) if unit_price else None,
    )


def test_discounted_units_are_worth_what_was_paid_not_the_list_price():
    # 3 × ¥10.00 with ¥1.00 off the line: ¥29.00 paid, ¥9.67 / ¥9.66 / ¥9.67 a unit.
    line = _line(price="29.00", quantity=3, unit_price="10.00")
    values = [line_units_value(line=line, units=1, already=k) for k in range(3)]
    assert values == [Decimal("9.67"), Decimal("9.66"), Decimal("9.67")]
    assert sum(values) == Decimal("29.00")
    assert line_units_value(line=line, units=3) == Decimal("29.00")


def test_the_last_unit_takes_the_remainder():
    line = _line(price="10.00", quantity=3)
    assert line_units_value(line=line, units=2) == Decimal("6.67")
    assert line_units_value(line=line, units=1, already=2) == Decimal("3.33")


def test_a_free_line_is_worth_nothing():
    assert line_units_value(line=_line(price="0.00", quantity=2), units=1) == Decimal("0.00")


@pytest.mark.parametrize(("units", "already"), [(4, 0), (1, 3), (-1, 0), (1, -1)])
def test_units_outside_the_line_are_refused(units, already):
    with pytest.raises(ValueError):
        line_units_value(line=_line(price="9.00", quantity=3), units=units, already=already)


@given(
    price_fen=st.integers(min_value=0, max_value=10_000_000),
    quantity=st.integers(min_value=1, max_value=60),
    data=st.data(),
)
def test_any_split_of_the_units_adds_up_to_the_price_exactly(price_fen, quantity, data):
    line = _line(price=str(Decimal(price_fen).scaleb(-2)), quantity=quantity)
    already, parts = 0, []
    while already < quantity:
        units = data.draw(st.integers(min_value=1, max_value=quantity - already))
        value = line_units_value(line=line, units=units, already=already)
        assert value >= 0
        assert value == value.quantize(Decimal("0.01"))
        # Never more than a fen off the exact pro-rata share.
        exact = Decimal(price_fen) * units / quantity / 100
        assert abs(value - exact) <= Decimal("0.01")
        parts.append(value)
        already += units
    assert sum(parts) == line.line_price_incl_tax
