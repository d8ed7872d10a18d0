"""Signing in with a mobile number in the login form's one box (手机号或邮箱), as well as
with an e-mail address; the lockout after wrong passwords counts by account."""

import pytest
from django.conf import settings
from django.db import IntegrityError
from django.urls import reverse

from marketplace.users.mobile import mobile_normalise
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("customer:login")
MOBILE = "13800138000"


def login_post(client, username: str, password: str = PASSWORD, *, ip: str = "203.0.113.7"):
    return client.post(
        LOGIN_URL,
        {"login-username": username, "login-password": password, "login_submit": "1"},
        REMOTE_ADDR=ip,
    )


def signed_in_as(client, user) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)


@pytest.mark.parametrize(
    "typed", [MOBILE, "138 0013 8000", "138-0013-8000", "+86 13800138000", "8613800138000"]
)
def test_a_customer_signs_in_with_their_mobile_number_as_they_type_it(client, typed):
    user = UserFactory(mobile=MOBILE)

    response = login_post(client, typed)

    assert response.status_code == 302
    assert signed_in_as(client, user)


def test_the_login_box_asks_for_a_mobile_number_or_an_email_address(client):
    response = client.get(LOGIN_URL)

    assert "手机号或邮箱" in response.content.decode()


def test_an_email_address_still_signs_in_and_lands_in_the_role_workspace(client):
    user = UserFactory(mobile=MOBILE)

    response = login_post(client, user.email.upper())

    assert signed_in_as(client, user)
    assert response["Location"] == reverse("customer:summary")


def test_a_mobile_login_lands_where_an_email_login_does(client):
    from marketplace.users.roles import EVALUATOR

    UserFactory(mobile=MOBILE, roles=[EVALUATOR])

    response = login_post(client, MOBILE)

    assert response["Location"] == reverse("evaluation:table")


def test_a_wrong_password_or_an_unknown_number_signs_nobody_in(client):
    UserFactory(mobile=MOBILE)

    for username, password in ((MOBILE, "wrong password"), ("13900139000", PASSWORD)):
        response = login_post(client, username, password)
        assert response.status_code == 200
        assert "手机号、邮箱或密码不正确" in response.content.decode()
        assert "_auth_user_id" not in client.session


def test_an_account_switched_off_cannot_sign_in_by_mobile(client):
    UserFactory(mobile=MOBILE, is_active=False)

    login_post(client, MOBILE)

    assert "_auth_user_id" not in client.session


def test_wrong_passwords_by_mobile_lock_the_account_out(client):
    # Given a customer whose password was guessed wrongly by mobile number up to the limit
    user = UserFactory(mobile=MOBILE)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login_post(client, "138 0013 8000", "wrong password")

    # Then the right password is refused, by number and by e-mail address alike
    response = login_post(client, MOBILE)
    assert response.status_code == 429
    assert "登录已暂时锁定" in response.content.decode()
    assert login_post(client, user.email).status_code == 429
    assert "_auth_user_id" not in client.session
    # while the same account from another address still signs in
    assert login_post(client, MOBILE, ip="198.51.100.20").status_code == 302


def test_wrong_passwords_by_mobile_and_by_email_add_up_to_one_lockout(client):
    user = UserFactory(mobile=MOBILE)
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        login_post(client, MOBILE if attempt % 2 else user.email, "wrong password")

    assert login_post(client, MOBILE).status_code == 429


def test_a_mobile_number_belongs_to_one_account_whichever_way_it_was_written():
    UserFactory(mobile=MOBILE)

    with pytest.raises(IntegrityError):
        UserFactory(mobile="+86 138-0013-8000")


def test_accounts_without_an_email_address_or_a_mobile_number_can_be_many():
    first = UserFactory(email="", mobile="13900139000")
    second = UserFactory(email="", mobile="13700137000")
    UserFactory(mobile="")
    UserFactory(mobile="")

    assert first.email is None and second.email is None
    assert str(first) == "王小明"  # a name if known, else the address, else 139****9000
    first.first_name = first.last_name = ""
    assert str(first) == "139****9000"


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("13800138000", "13800138000"),
        (" 138 0013 8000 ", "13800138000"),
        ("+8613800138000", "13800138000"),
        ("008613800138000", "13800138000"),
        ("12800138000", ""),  # no mainland mobile starts 12
        ("1380013800", ""),
        ("１３８００１３８０００", ""),  # full-width digits are not taken
        ("li@example.com", ""),
    ],
)
def test_mobile_numbers_are_normalised(typed, number):
    assert mobile_normalise(typed) == number
