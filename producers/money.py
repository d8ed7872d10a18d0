"""Money is Decimal yuan with two places (fen). Every other module calls these helpers."""

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


def split_by_weights(total: Decimal, weights: Sequence[Decimal | int]) -> list[Decimal]:
    """Split `total` into parts proportional to `weights` that add up to it exactly.

    Largest remainder to the fen; ties go to the earlier weight, so the split is
    deterministic for the same input order.
    """
    total = to_yuan(total)
    if not weights:
        raise MoneyError("Cannot split an amount among no one.")
    weights = [Decimal(w) for w in weights]
    if any(w < 0 for w in weights):
        raise MoneyError("Weights must not be negative.")
    weight_sum = sum(weights)
    if weight_sum == 0:
        raise MoneyError("Weights must not all be zero.")
    total_fen = int(total / FEN)
    sign = -1 if total_fen < 0 else 1
    total_fen = abs(total_fen)
    exact = [Decimal(total_fen) * w / weight_sum for w in weights]
    floors = [int(e) for e in exact]
    leftover = total_fen - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:leftover]:
        floors[i] += 1
    return [Decimal(sign * fen) * FEN for fen in floors]
