"""Sign-up with a mobile number: a code texted through SMS_BACKEND (the console backend's
outbox here), then the code and a password create the account and sign it in."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from marketplace.users.models import MobileCode
from marketplace.users.services import (
    MobileCodeRateLimited,
    mobile_code_send,
    mobile_code_verify,
)
from marketplace.users.sms import ConsoleSmsBackend, SmsUnavailable
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
URL = reverse("customer:register-mobile")
MOBILE = "13800138000"
NEW_PASSWORD = "west-county-honey-42"


@pytest.fixture(autouse=True)
def outbox():
    ConsoleSmsBackend.outbox.clear()
    yield ConsoleSmsBackend.outbox
    ConsoleSmsBackend.outbox.clear()


def texted_code(outbox, mobile: str = MOBILE) -> str:
    messages = [m for m in outbox if m.mobile == mobile]
    assert messages, "no SMS to that number"
    found = re.search(r"\d{6}", messages[-1].text)
    assert found, messages[-1].text
    return found.group()


def send_code(client, mobile: str = "138 0013 8000"):
    return client.post(URL, {"mobile": mobile, "send_code": "1"})


def register(client, code: str, mobile: str = MOBILE, password: str = NEW_PASSWORD, **extra):
    data = {
        "mobile": mobile,
        "code": code,
        "password1": password,
        "password2": password,
        "consent": "on",
    }
    return client.post(URL, {**data, **extra, "register_submit": "1"})


def make_older(mobile: str = MOBILE, *, seconds: int) -> None:
    for row in MobileCode.objects.filter(mobile=mobile):
        MobileCode.objects.filter(pk=row.pk).update(
            created_at=row.created_at - timedelta(seconds=seconds)
        )


def test_a_visitor_signs_up_with_the_code_texted_to_their_number_and_is_signed_in(client, outbox):
    response = send_code(client)
    assert "验证码短信已发送至" in response.content.decode()
    assert len(outbox) == 1 and outbox[0].mobile == MOBILE

    response = register(client, texted_code(outbox))

    user = User.objects.get(mobile=MOBILE)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert user.is_active and user.email is None and user.check_password(NEW_PASSWORD)
    # and signs in with the number and password afterwards
    client.logout()
    client.post(
        reverse("customer:login"),
        {"login-username": MOBILE, "login-password": NEW_PASSWORD, "login_submit": "1"},
    )
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_code_is_stored_only_as_a_keyed_hash(outbox):
    mobile_code_send(mobile=MOBILE)

    code = texted_code(outbox)
    row = MobileCode.objects.get()
    assert code not in row.code_hash and len(row.code_hash) == 64


def test_a_wrong_code_creates_no_account(client, outbox):
    send_code(client)
    wrong = "000000" if texted_code(outbox) != "000000" else "111111"

    response = register(client, wrong)

    assert "验证码不正确或已失效" in response.content.decode()
    assert not User.objects.filter(mobile=MOBILE).exists()


def test_an_expired_code_creates_no_account(client, outbox):
    send_code(client)
    MobileCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = register(client, texted_code(outbox))

    assert "验证码不正确或已失效" in response.content.decode()
    assert not User.objects.filter(mobile=MOBILE).exists()


def test_a_code_dies_after_too_many_wrong_tries(outbox, settings):
    mobile_code_send(mobile=MOBILE)
    code = texted_code(outbox)
    wrong = "000000" if code != "000000" else "111111"

    for _ in range(settings.SMS_CODE_MAX_ATTEMPTS):
        assert not mobile_code_verify(mobile=MOBILE, code=wrong)

    assert not mobile_code_verify(mobile=MOBILE, code=code)


def test_a_code_works_once_and_only_the_latest_one_works(outbox):
    mobile_code_send(mobile=MOBILE)
    first = texted_code(outbox)
    make_older(seconds=120)
    mobile_code_send(mobile=MOBILE)
    second = texted_code(outbox)

    assert first == second or not mobile_code_verify(mobile=MOBILE, code=first)
    assert mobile_code_verify(mobile=MOBILE, code=second)
    assert not mobile_code_verify(mobile=MOBILE, code=second)


def test_a_second_code_within_a_minute_is_refused_with_the_wait(client, outbox):
    send_code(client)

    response = send_code(client)

    assert re.search(r"发送过于频繁，请 \d+ 秒后再试", response.content.decode())
    assert len(outbox) == 1


def test_at_most_five_codes_an_hour_go_to_one_number(outbox, settings):
    for _ in range(settings.SMS_CODES_PER_HOUR):
        mobile_code_send(mobile=MOBILE)
        make_older(seconds=settings.SMS_RESEND_SECONDS + 1)

    with pytest.raises(MobileCodeRateLimited) as refused:
        mobile_code_send(mobile=MOBILE)

    assert refused.value.seconds > settings.SMS_RESEND_SECONDS
    assert len(outbox) == settings.SMS_CODES_PER_HOUR
    mobile_code_send(mobile="13900139000")  # another number is not held up
    make_older(seconds=3600)
    mobile_code_send(mobile=MOBILE)  # nor this one, an hour later


def test_a_number_with_an_account_gets_a_notice_and_the_page_says_the_same(client, outbox):
    # Given a number that already has an account
    owner = UserFactory(mobile=MOBILE)

    # When someone asks for a code for it
    response = send_code(client)

    # Then the page reads as for a new number, the owner is told, and no code exists
    assert "验证码短信已发送至" in response.content.decode()
    assert "已注册" in outbox[-1].text and not re.search(r"\d{6}", outbox[-1].text)
    assert "验证码不正确或已失效" in register(client, "123456").content.decode()
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)


def test_a_weak_or_mismatched_password_creates_no_account_and_keeps_the_code(client, outbox):
    send_code(client)
    code = texted_code(outbox)

    assert register(client, code, password="12345678").status_code == 200
    response = client.post(
        URL,
        {
            "mobile": MOBILE,
            "code": code,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD + "x",
            "consent": "on",
            "register_submit": "1",
        },
    )
    assert "两次输入的密码不一致" in response.content.decode()
    assert not User.objects.filter(mobile=MOBILE).exists()
    assert register(client, code).status_code == 302


def test_a_number_that_is_not_a_mainland_mobile_gets_no_code(client, outbox):
    response = send_code(client, "12345")

    assert "请输入11位中国大陆手机号码" in response.content.decode()
    assert not outbox


@override_settings(SMS_BACKEND="marketplace.users.sms.UnavailableSmsBackend")
def test_without_an_sms_provider_the_page_says_so_and_nothing_is_held(client):
    response = send_code(client)

    assert "短信暂时无法发送" in response.content.decode()
    assert not MobileCode.objects.exists()
    with pytest.raises(SmsUnavailable):
        mobile_code_send(mobile=MOBILE)


def test_the_login_and_email_sign_up_pages_link_to_sign_up_by_mobile(client):
    for name in ("customer:login", "customer:register"):
        assert URL in client.get(reverse(name)).content.decode()


def test_a_signed_in_user_is_sent_to_their_account(client):
    client.force_login(UserFactory())

    assert client.get(URL)["Location"] == reverse("customer:summary")


def test_the_profile_of_an_account_without_an_email_address_shows_a_dash(client):
    client.force_login(UserFactory(email="", mobile=MOBILE))

    page = client.get(reverse("customer:profile-view")).content.decode()

    assert MOBILE in page and "None" not in page
