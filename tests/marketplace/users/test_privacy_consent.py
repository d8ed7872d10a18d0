"""Consent to the privacy policy at sign-up (PIPL): both sign-up forms require ticking it,
the policy is linked from the form and written in the CMS in Chinese and English, and the
version agreed to is recorded with the time."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Locale

from marketplace.users.models import PrivacyConsent, PrivacyPolicy
from marketplace.users.sms import ConsoleSmsBackend

pytestmark = pytest.mark.django_db

User = get_user_model()
POLICY_URL = reverse("customer:privacy-policy")
MOBILE = "13800138000"
PASSWORD = "west-county-honey-42"


@pytest.fixture(autouse=True)
def outbox():
    ConsoleSmsBackend.outbox.clear()
    yield ConsoleSmsBackend.outbox
    ConsoleSmsBackend.outbox.clear()


@pytest.fixture
def policy():
    """Version 2026.1 written in the CMS, with its English translation."""
    chinese, _created = Locale.objects.get_or_create(language_code="zh-hans")
    english, _created = Locale.objects.get_or_create(language_code="en")
    written = PrivacyPolicy.objects.create(
        locale=chinese,
        version="2026.1",
        title="东西隐私政策",
        body="<p>我们只为完成订单使用您的手机号。</p>",
        effective_from=timezone.now() - timedelta(days=1),
    )
    translated = written.copy_for_translation(english)
    translated.title = "Dongxi privacy policy"
    translated.body = "<p>We use your mobile number only to fulfil orders.</p>"
    translated.save()
    return written


def mobile_sign_up(client, outbox, **extra):
    client.post(reverse("customer:register-mobile"), {"mobile": MOBILE, "send_code": "1"})
    code = re.search(r"\d{6}", outbox[-1].text).group()
    data = {"mobile": MOBILE, "code": code, "password1": PASSWORD, "password2": PASSWORD}
    return client.post(
        reverse("customer:register-mobile"), {**data, **extra, "register_submit": "1"}
    )


def test_signing_up_by_mobile_without_ticking_consent_creates_no_account(client, outbox):
    response = mobile_sign_up(client, outbox)

    assert "请阅读并同意隐私政策后再注册" in response.content.decode()
    assert not User.objects.exists()


def test_signing_up_by_email_without_ticking_consent_sends_nothing(client):
    response = client.post(reverse("customer:register"), {"email": "li.na@dongxi.example"})

    assert "请阅读并同意隐私政策后再注册" in response.content.decode()
    assert not User.objects.exists()
    assert not mail.outbox


def test_the_consent_names_the_version_agreed_to_and_when(client, outbox, policy):
    before = timezone.now()

    response = mobile_sign_up(client, outbox, consent="on")

    assert response.status_code == 302
    consent = PrivacyConsent.objects.get()
    assert consent.user.mobile == MOBILE
    assert (consent.policy, consent.version, consent.language) == (policy, "2026.1", "zh-hans")
    assert consent.agreed_at >= before


def test_an_email_sign_up_records_the_consent_with_the_pending_account(client, policy):
    client.post(reverse("customer:register"), {"email": "li.na@dongxi.example", "consent": "on"})

    consent = PrivacyConsent.objects.get()
    assert consent.user.email == "li.na@dongxi.example" and consent.version == "2026.1"


def test_without_a_policy_in_the_cms_the_default_text_is_agreed_to_as_version_0(client, outbox):
    mobile_sign_up(client, outbox, consent="on")

    assert PrivacyConsent.objects.get().version == "0"
    assert "版本 0" in client.get(POLICY_URL).content.decode()


def test_the_sign_up_forms_link_to_the_policy_which_reads_in_both_languages(client, policy):
    for name in ("customer:register", "customer:register-mobile", "customer:login"):
        assert f'href="{POLICY_URL}"' in client.get(reverse(name)).content.decode()

    chinese = client.get(POLICY_URL).content.decode()
    english = client.get("/en" + POLICY_URL).content.decode()

    assert "东西隐私政策" in chinese and "只为完成订单" in chinese and "2026.1" in chinese
    assert "Dongxi privacy policy" in english and "only to fulfil orders" in english


def test_a_new_version_once_in_effect_is_the_one_agreed_to(client, outbox, policy):
    PrivacyPolicy.objects.create(
        locale=policy.locale,
        version="2027.1",
        body="<p>新版</p>",
        effective_from=timezone.now() + timedelta(days=30),
    )
    assert "2026.1" in client.get(POLICY_URL).content.decode()  # not yet in effect

    PrivacyPolicy.objects.filter(version="2027.1").update(
        effective_from=timezone.now() - timedelta(minutes=1)
    )
    mobile_sign_up(client, outbox, consent="on")

    assert PrivacyConsent.objects.get().version == "2027.1"


def test_a_platform_admin_writes_the_policy_in_the_cms(client):
    from marketplace.users.roles import PLATFORM_ADMIN
    from tests.factories import UserFactory

    Locale.objects.get_or_create(language_code="zh-hans")
    client.force_login(UserFactory(roles=[PLATFORM_ADMIN], is_staff=True))

    response = client.get(reverse("wagtailsnippets_users_privacypolicy:add"))

    assert response.status_code == 200
    assert "正文" in response.content.decode()
