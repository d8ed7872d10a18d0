"""Numbers of the evaluators' screens that are not money: grouped by thousands in every
language (Chinese number formats group nothing), so that a weighted value reads like the
money beside it without being taken for money."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()


@register.filter
def grouped(value, places: int = 2) -> str:
    """{{ Decimal("1234567.891")|grouped }} -> 1,234,567.89; |grouped:0 -> 1,234,568."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(value).quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        return ""
    return f"{number:,.{int(places)}f}"
