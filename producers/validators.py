"""Validators for Chinese identifiers used by producers."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: unified social credit code (统一社会信用代码).
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    total = sum(
        CREDIT_CODE_CHARS.index(char) * weight
        for char, weight in zip(first17, _CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    if len(value) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位，当前为%(length)d位。"),
            code="length",
            params={"length": len(value)},
        )
    bad = [char for char in value if char not in CREDIT_CODE_CHARS]
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符：%(chars)s"),
            code="charset",
            params={"chars": "".join(bad)},
        )
    if credit_code_check_char(value[:17]) != value[17]:
        raise ValidationError(_("统一社会信用代码校验位不正确。"), code="checksum")


def validate_mobile_number(value: str) -> None:
    if not (len(value) == 11 and value.isdigit() and value[0] == "1" and value[1] in "3456789"):
        raise ValidationError(_("请输入11位中国大陆手机号码。"), code="mobile")
