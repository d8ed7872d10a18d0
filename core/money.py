"""Money is Decimal yuan with two places (fen). Every other module calls these helpers."""

import math
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")
CURRENCY = "CNY"


class MoneyError(ValueError):
    pass


def to_yuan(value: Decimal | int | str) -> Decimal:
    """Round an amount to the fen. Floats are refused: they cannot hold fen exactly."""
    if isinstance(value, float):
        raise MoneyError("Money must not be a float.")
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise MoneyError(f"Not an amount of money: {value!r}") from exc
    if not amount.is_finite():
        raise MoneyError(f"Not an amount of money: {value!r}")
    try:
        return amount.quantize(FEN, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:  # more digits than a Decimal context holds
        raise MoneyError(f"Not an amount of money: {value!r}") from exc


def parse_yuan(text: str) -> Decimal:
    """Read an amount typed by a person: '¥1,234.5' -> Decimal('1234.50')."""
    cleaned = text.strip().replace("¥", "").replace("￥", "").replace(",", "").replace("元", "")
    if not cleaned:
        raise MoneyError("Empty amount.")
    return to_yuan(cleaned)


def format_yuan(amount: Decimal) -> str:
    """¥1,234.50; negative amounts as -¥12.00."""
    amount = to_yuan(amount)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount):,.2f}"


def split_fen(total_fen: int, weights: Sequence[int], *, weight_sum: int = 0) -> list[int]:
    """Split a whole number of fen by non-negative integer weights, exactly.

    Integer arithmetic only (no rounding anywhere): each part gets the floor of its exact
    share, then the leftover fen go to the largest remainders, ties to the earlier weight.
    A caller splitting many amounts by the same weights may pass their `weight_sum`.
    """
    weight_sum = weight_sum or sum(weights)
    if weight_sum <= 0:
        raise MoneyError("Weights must not all be zero.")
    if total_fen < 0:
        return [-fen for fen in split_fen(-total_fen, weights, weight_sum=weight_sum)]
    if len(weights) == 1:
        return [total_fen]
    floors = [total_fen * weight // weight_sum for weight in weights]
    leftover = total_fen - sum(floors)
    if leftover:
        remainders = [total_fen * weight % weight_sum for weight in weights]
        # Largest remainder first; a stable sort keeps equal remainders in weight order.
        for i in sorted(range(len(floors)), key=remainders.__getitem__, reverse=True)[:leftover]:
            floors[i] += 1
    return floors


def integer_weights(weights: Sequence[Decimal | int]) -> list[int]:
    """Decimal weights scaled to integers with the same ratios (exactly)."""
    if all(type(w) is int for w in weights):
        return list(weights)
    ratios = [Decimal(w).as_integer_ratio() for w in weights]
    denominator = 1
    for _numerator, d in ratios:
        denominator = denominator * d // math.gcd(denominator, d)
    return [n * (denominator // d) for n, d in ratios]


def split_by_weights(total: Decimal, weights: Sequence[Decimal | int]) -> list[Decimal]:
    """Split `total` into parts proportional to `weights` that add up to it exactly.

    Largest remainder to the fen; ties go to the earlier weight, so the split is
    deterministic for the same input order.
    """
    total = to_yuan(total)
    if not weights:
        raise MoneyError("Cannot split an amount among no one.")
    if any(Decimal(w) < 0 for w in weights):
        raise MoneyError("Weights must not be negative.")
    total_fen = int(total.scaleb(2))
    return [Decimal(fen).scaleb(-2) for fen in split_fen(total_fen, integer_weights(weights))]
