"""Money is Decimal yuan to the fen; splits add up exactly (largest remainder)."""

import random
from decimal import Decimal

import pytest

from core.money import FEN, MoneyError, format_yuan, parse_yuan, split_by_weights, to_yuan


def random_case(rng: random.Random) -> tuple[Decimal, list[int]]:
    total = Decimal(rng.randint(-10_000_000, 10_000_000)).scaleb(-2)
    weights = [rng.choice([0, rng.randint(1, 10), rng.randint(1, 100_000)]) for _ in range(12)]
    weights = weights[: rng.randint(1, 12)]
    if not any(weights):
        weights[0] = 1
    return total, weights


def test_split_parts_add_up_to_the_total_to_the_fen():
    rng = random.Random(20200615)
    for _ in range(2_000):
        # Given a random amount and random weights
        total, weights = random_case(rng)

        # When the amount is split
        parts = split_by_weights(total, weights)

        # Then the parts add up to it exactly, one per weight, each a whole number of fen
        assert sum(parts) == total, (total, weights, parts)
        assert len(parts) == len(weights)
        assert all(part == part.quantize(FEN) for part in parts)


def test_split_gives_each_share_within_one_fen_of_its_exact_value():
    rng = random.Random(20210225)
    for _ in range(2_000):
        total, weights = random_case(rng)

        parts = split_by_weights(total, weights)

        for part, weight in zip(parts, weights, strict=True):
            exact = total * weight / sum(weights)
            assert abs(part - exact) < FEN, (total, weights, parts)


def test_split_gives_leftover_fen_to_the_largest_remainders():
    # Given 0.10 split 3:4, exactly 0.0428… and 0.0571…
    # When it is split
    parts = split_by_weights(Decimal("0.10"), [3, 4])

    # Then the leftover fen goes to the larger remainder, not to the first weight
    assert parts == [Decimal("0.04"), Decimal("0.06")]


def test_split_breaks_ties_in_favour_of_the_earlier_weight():
    parts = split_by_weights(Decimal("100.00"), [1, 1, 1])

    assert parts == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]


def test_split_of_a_negative_total_mirrors_the_positive_split():
    # Given a refund of 100.00 among three equal shares
    parts = split_by_weights(Decimal("-100.00"), [1, 1, 1])

    # Then each part reverses exactly the part the payment gave
    assert parts == [-part for part in split_by_weights(Decimal("100.00"), [1, 1, 1])]
    assert sum(parts) == Decimal("-100.00")


def test_split_gives_nothing_to_a_zero_weight():
    parts = split_by_weights(Decimal("0.01"), [0, 1, 0])

    assert parts == [Decimal("0.00"), Decimal("0.01"), Decimal("0.00")]


def test_split_rounds_the_total_to_the_fen_first():
    assert sum(split_by_weights(Decimal("10.005"), [1, 2])) == Decimal("10.01")


@pytest.mark.parametrize(
    "weights",
    [
        pytest.param([], id="empty"),
        pytest.param([0, 0], id="zero"),
        pytest.param([2, -1], id="neg"),
    ],
)
def test_split_rejects_weights_that_cannot_share(weights):
    with pytest.raises(MoneyError):
        split_by_weights(Decimal("10.00"), weights)


def test_split_rejects_a_float_total():
    with pytest.raises(MoneyError):
        split_by_weights(10.0, [1, 1])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("12.345"), "12.35"),
        (Decimal("12.344"), "12.34"),
        (Decimal("-0.005"), "-0.01"),
        (7, "7.00"),
        ("3.1", "3.10"),
    ],
)
def test_to_yuan_rounds_half_up_to_the_fen(value, expected):
    assert str(to_yuan(value)) == expected


def test_to_yuan_rejects_a_float():
    with pytest.raises(MoneyError):
        to_yuan(0.1)


@pytest.mark.parametrize("value", ["abc", "Infinity", None])
def test_to_yuan_rejects_what_is_not_an_amount(value):
    with pytest.raises(MoneyError):
        to_yuan(value)


def test_to_yuan_rejects_not_a_number():
    with pytest.raises(MoneyError):
        to_yuan("NaN")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("¥1,234.5", "1234.50"),
        ("￥12", "12.00"),
        (" 8.8元 ", "8.80"),
        ("-3", "-3.00"),
    ],
)
def test_parse_yuan_reads_amounts_as_people_type_them(text, expected):
    amount = parse_yuan(text)

    assert str(amount) == expected
    assert amount == Decimal(expected)


@pytest.mark.parametrize("text", ["", "  ", "¥", "十二元", "1.2.3"])
def test_parse_yuan_rejects_text_that_is_not_an_amount(text):
    with pytest.raises(MoneyError):
        parse_yuan(text)


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("1234.5"), "¥1,234.50"),
        (Decimal("1234567.891"), "¥1,234,567.89"),
        (Decimal("0"), "¥0.00"),
        (Decimal("-12"), "-¥12.00"),
    ],
)
def test_format_yuan_shows_the_sign_symbol_separators_and_two_places(amount, text):
    assert format_yuan(amount) == text


def test_format_yuan_rejects_a_float():
    with pytest.raises(MoneyError):
        format_yuan(1.5)
