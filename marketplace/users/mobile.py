"""Mainland mobile numbers as people type them: '138 0013 8000', '138-0013-8000',
'+86 13800138000' and '8613800138000' are all the account's 13800138000."""

from producers.validators import validate_mobile_number

_SEPARATORS = str.maketrans("", "", " -()\u00a0\u3000")


def mobile_normalise(value: str | None) -> str:
    """The 11 digits of a mainland mobile number, or '' when `value` is not one."""
    if not value:
        return ""
    digits = str(value).strip().translate(_SEPARATORS)
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == 11 + len(prefix):
            digits = digits[len(prefix) :]
            break
    try:
        validate_mobile_number(digits)
    except Exception:  # noqa: BLE001  ValidationError: not a mobile number
        return ""
    return digits


def mobile_mask(value: str | None) -> str:
    """138****8000: the number as shown on screens and in lists."""
    return f"{value[:3]}****{value[-4:]}" if value else ""
