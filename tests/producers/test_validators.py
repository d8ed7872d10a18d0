"""Unified social credit codes (GB 32100-2015) and mainland mobile numbers."""

import pytest
from django.core.exceptions import ValidationError

from producers.validators import (
    credit_code_check_char,
    validate_credit_code,
    validate_mobile_number,
)
from tests.factories import credit_code

VALID = credit_code("93513431MA62H4XY0")


def rejection(validator, value) -> ValidationError:
    with pytest.raises(ValidationError) as excinfo:
        validator(value)
    return excinfo.value


def test_valid_credit_code_is_accepted():
    validate_credit_code(VALID)


def test_check_char_of_a_published_code_is_computed():
    # Given a published code, 91330100799655058B
    # Then its 18th character is the one the standard computes
    assert credit_code_check_char("91330100799655058") == "B"


def test_credit_code_with_a_wrong_check_char_is_rejected_in_chinese():
    wrong = VALID[:17] + ("0" if VALID[17] != "0" else "1")

    error = rejection(validate_credit_code, wrong)

    assert error.code == "checksum"
    assert error.messages == ["统一社会信用代码校验位不正确。"]


@pytest.mark.parametrize("value", [VALID[:17], VALID + "0", ""])
def test_credit_code_of_the_wrong_length_is_rejected_in_chinese(value):
    error = rejection(validate_credit_code, value)

    assert error.code == "length"
    assert error.messages == [f"统一社会信用代码应为18位，当前为{len(value)}位。"]


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V"])
def test_credit_code_with_a_forbidden_letter_is_rejected_in_chinese(letter):
    # Given a code whose 9th character is a letter the standard leaves out (it looks like a digit)
    value = VALID[:8] + letter + VALID[9:]

    error = rejection(validate_credit_code, value)

    assert error.code == "charset"
    assert error.messages == [f"统一社会信用代码含有不允许的字符：{letter}"]


def test_credit_code_in_lower_case_is_rejected():
    error = rejection(validate_credit_code, VALID.lower())

    assert error.code == "charset"


@pytest.mark.parametrize("value", ["13800138000", "19912345678", "14700000000"])
def test_mainland_mobile_number_is_accepted(value):
    validate_mobile_number(value)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("1380013800", id="10-digits"),
        pytest.param("138001380001", id="12-digits"),
        pytest.param("23800138000", id="not-starting-with-1"),
        pytest.param("12800138000", id="second-digit-2"),
        pytest.param("1380013800a", id="letter"),
        pytest.param("+8613800138", id="country-code"),
        pytest.param("010-6552888", id="landline"),
        pytest.param("13８00138000", id="full-width-digits"),
        pytest.param("1380013800²", id="superscript-digit"),
    ],
)
def test_other_numbers_are_rejected_as_mobile_numbers_in_chinese(value):
    error = rejection(validate_mobile_number, value)

    assert error.messages == ["请输入11位中国大陆手机号码。"]
