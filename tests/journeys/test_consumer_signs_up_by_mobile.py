"""Journey: a shopper signs up with a mobile number (the code texted through the console SMS
backend, read from its outbox), is signed in, signs out, and signs in again with the number
typed as people do (138 0013 8000) in the login box 手机号或邮箱."""

import re

import pytest
from playwright.sync_api import expect

from marketplace.users.sms import ConsoleSmsBackend

pytestmark = pytest.mark.integration

MOBILE = "13800138000"
PASSWORD = "west-county-honey-42"


def texted_code() -> str:
    message = [m for m in ConsoleSmsBackend.outbox if m.mobile == MOBILE][-1]
    return re.search(r"\d{6}", message.text).group()


def test_a_shopper_signs_up_with_a_mobile_number_and_signs_in_with_it(page):
    ConsoleSmsBackend.outbox.clear()

    # When a shopper opens sign-up by mobile number from the login page
    page.goto("/shop/accounts/login/")
    page.click("#register-mobile-link")
    expect(page.locator("h1")).to_contain_text("手机号注册")

    # and asks for a code for their number
    page.fill("#id_mobile", "138 0013 8000")
    page.click("button[name=send_code]")
    expect(page.locator("#code-sent")).to_contain_text(MOBILE)

    # and enters the texted code and a password, and agrees to the privacy policy
    page.fill("#id_code", texted_code())
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.check("#id_consent")  # agrees to the privacy policy linked beside the box
    page.click("button[name=register_submit]")

    # Then they are signed in to their new account
    expect(page.locator(".alert-success")).to_contain_text("注册成功")
    assert "/shop/accounts/" in page.url

    # When they sign out and sign in again with the number
    page.click("#logout_link")
    page.wait_for_load_state()
    page.goto("/shop/accounts/login/")
    expect(page.locator("label[for=id_login-username]")).to_contain_text("手机号或邮箱")
    page.fill("#id_login-username", "138 0013 8000")
    page.fill("#id_login-password", PASSWORD)
    page.click("button[name=login_submit]")

    # Then they are in their account again
    page.wait_for_url(re.compile(r"/shop/accounts/(?!login/)"))
    expect(page.locator("#logout_link")).to_be_visible()
    assert not page.js_errors
    ConsoleSmsBackend.outbox.clear()
