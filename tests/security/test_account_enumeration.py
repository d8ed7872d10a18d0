"""Nobody learns from a registration form that an account or a household exists.

Customer registration answers "check your e-mail" whatever the address: a new address gets
a link to a page where its owner sets the password, which activates the account; an address
that already has one (active or switched off) gets a notice to its owner, and nothing about
the account changes. Nobody but the mailbox's owner ever chooses a new account's password.

A county officer entering a register number that another county holds is not told that it
is registered (nor where); the county that holds it is told plainly, as it is its own
register."""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from marketplace.users import roles
from marketplace.users.models import User
from producers.models import Household
from producers.services.imports import households_import
from tests.factories import (
    PASSWORD,
    CountyFactory,
    CountyOfficerFactory,
    HouseholdFactory,
    TownshipFactory,
    UserFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "西部好物 buckwheat 2026"


def register(client, email: str, password: str = NEW_PASSWORD):
    return client.post(
        reverse("customer:register"),
        {"email": email, "password1": password, "password2": password, "consent": "on"},
    )


def register_on_the_login_page(client, email: str, password: str = NEW_PASSWORD):
    return client.post(
        reverse("customer:login"),
        {
            "registration-email": email,
            "registration-consent": "on",
            "registration-password1": password,
            "registration-password2": password,
            "registration_submit": "1",
        },
    )


def visible_text(response, email: str) -> str:
    """The page without what differs between any two requests (the address, CSRF token)."""
    text = response.content.decode().replace(email, "ADDRESS")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)


def link_in(message) -> str:
    return re.search(r"https?://\S+", message.body).group(0)


@pytest.mark.parametrize("post", [register, register_on_the_login_page])
def test_a_known_address_gets_the_same_answer_as_a_new_one(client, post):
    UserFactory(email="li.si@dongxi.example")

    known = post(client, "li.si@dongxi.example")
    new = post(client, "wang.wu@dongxi.example")

    assert known.status_code == new.status_code == 200
    assert visible_text(known, "li.si@dongxi.example") == visible_text(
        new, "wang.wu@dongxi.example"
    )
    assert "请查收邮件" in known.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_owner_of_a_known_address_gets_a_notice_and_the_account_is_unchanged(client):
    owner = UserFactory(email="li.si@dongxi.example")

    register(client, "Li.Si@dongxi.example", password="another password 2026")

    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)
    assert User.objects.filter(email__iexact="li.si@dongxi.example").count() == 1
    (notice,) = mail.outbox
    assert notice.to == ["li.si@dongxi.example"]
    assert "已经有账户" in notice.body
    assert reverse("password-reset") in notice.body


def set_password_on(client, link: str, password: str):
    return client.post(link, {"password1": password, "password2": password})


def signs_in(email: str, password: str) -> bool:
    response = Client().post(
        reverse("customer:login"),
        {"login-username": email, "login-password": password, "login_submit": "1"},
        REMOTE_ADDR="203.0.113.7",
    )
    return response.status_code == 302


def test_a_new_address_sets_its_password_on_the_links_page_which_signs_in_once(client):
    register(client, "wang.wu@dongxi.example")

    user = User.objects.get(email="wang.wu@dongxi.example")
    assert not user.is_active
    (confirmation,) = mail.outbox
    link = link_in(confirmation)

    response = set_password_on(client, link, NEW_PASSWORD)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    user.refresh_from_db()
    assert user.is_active
    assert signs_in("wang.wu@dongxi.example", NEW_PASSWORD)
    client.logout()
    assert client.get(link).status_code == 404  # used once
    assert set_password_on(client, link, "another password 2026").status_code == 404
    assert "_auth_user_id" not in client.session
    assert signs_in("wang.wu@dongxi.example", NEW_PASSWORD)


def test_opening_the_link_changes_nothing_until_the_password_is_sent(client):
    # Mail scanners open links: a GET shows the page and neither activates nor uses it up.
    register(client, "wang.wu@dongxi.example")
    link = link_in(mail.outbox[0])

    first, again = client.get(link), client.get(link)

    assert first.status_code == again.status_code == 200
    assert 'name="password1"' in again.content.decode()
    assert "_auth_user_id" not in client.session
    user = User.objects.get(email="wang.wu@dongxi.example")
    assert not user.is_active
    assert not user.has_usable_password()
    assert set_password_on(client, link, NEW_PASSWORD).status_code == 302


def test_a_weak_or_mismatched_password_on_the_links_page_changes_nothing(client):
    register(client, "wang.wu@dongxi.example")
    link = link_in(mail.outbox[0])

    weak = set_password_on(client, link, "password123")
    mismatched = client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"})

    assert weak.status_code == mismatched.status_code == 200
    assert "这个密码太常见了" in " ".join(weak.context["form"].errors["password2"])
    assert mismatched.context["form"].errors["password2"] == ["两次输入的密码不一致。"]
    assert not User.objects.get(email="wang.wu@dongxi.example").is_active
    assert "_auth_user_id" not in client.session
    assert set_password_on(client, link, NEW_PASSWORD).status_code == 302  # still valid


def test_the_links_page_refuses_a_post_without_the_csrf_token():
    Client().post(
        reverse("customer:register"), {"email": "wang.wu@dongxi.example", "consent": "on"}
    )
    link = link_in(mail.outbox[0])

    response = Client(enforce_csrf_checks=True).post(
        link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert response.status_code == 403
    assert not User.objects.get(email="wang.wu@dongxi.example").is_active


def test_registering_a_pending_address_again_never_sets_its_password(client):
    # A stranger registers the address before (or after) its owner: neither typed password
    # ever works; only the password the mailbox's owner sets on the link's page does.
    stranger, owner = Client(), Client()
    register(stranger, "wang.wu@dongxi.example", password="stranger password 2026")
    register(owner, "wang.wu@dongxi.example", password="owner typed 2026 tea")
    register(stranger, "wang.wu@dongxi.example", password="stranger again 2026")

    user = User.objects.get(email="wang.wu@dongxi.example")
    assert not user.check_password("stranger again 2026")
    assert not user.check_password("owner typed 2026 tea")
    assert all(message.to == ["wang.wu@dongxi.example"] for message in mail.outbox)

    assert set_password_on(owner, link_in(mail.outbox[-1]), NEW_PASSWORD).status_code == 302

    assert owner.session["_auth_user_id"] == str(user.pk)
    assert "_auth_user_id" not in stranger.session
    assert not signs_in("wang.wu@dongxi.example", "stranger password 2026")
    assert not signs_in("wang.wu@dongxi.example", "stranger again 2026")
    assert not signs_in("wang.wu@dongxi.example", "owner typed 2026 tea")
    assert signs_in("wang.wu@dongxi.example", NEW_PASSWORD)


def test_a_second_registration_before_confirming_makes_the_first_link_lapse(client):
    register(client, "wang.wu@dongxi.example")
    register(client, "wang.wu@dongxi.example")

    first, second = (link_in(message) for message in mail.outbox)

    assert client.get(first).status_code == 404
    assert set_password_on(client, first, "first password 2026").status_code == 404
    assert client.get(second).status_code == 200
    assert set_password_on(client, second, NEW_PASSWORD).status_code == 302
    assert User.objects.get(email="wang.wu@dongxi.example").check_password(NEW_PASSWORD)


def test_a_switched_off_account_stays_off_when_its_address_registers_again(client):
    # Staff switched the account off before it ever signed in: it is not a pending
    # registration, so registering its address only sends its owner the usual notice.
    owner = UserFactory(email="li.si@dongxi.example", is_active=False)

    response = register(client, "li.si@dongxi.example", password="another password 2026")

    assert "请查收邮件" in response.content.decode()
    owner.refresh_from_db()
    assert not owner.is_active
    assert owner.check_password(PASSWORD)
    (notice,) = mail.outbox
    assert notice.to == ["li.si@dongxi.example"]
    assert "已经有账户" in notice.body
    assert "/register/confirm/" not in notice.body


# --- household register numbers --------------------------------------------------------------

NUMBER = "5134311000010123"
ELSEWHERE = "该建档立卡编号无法在本县登记，请核对编号；如确属本县农户，请联系平台管理员核实。"


def village_in(county, code: str = "513431100001"):
    return VillageFactory(parent=TownshipFactory(parent=county), code=code)


def officer_of(county):
    return CountyOfficerFactory(county=county, user__roles=[roles.COUNTY_OFFICER]).user


def household_form(village, number: str = NUMBER) -> dict:
    return {
        "register_number": number,
        "head_name": "吉克阿呷",
        "phone": "",
        "village": village.pk,
        "size": "4",
        "status": "poor",
        "baseline_income_per_head": "3200.50",
        "registered_year": "2015",
    }


def test_a_number_registered_in_another_county_is_not_confirmed_to_an_officer(client):
    HouseholdFactory(village=village_in(CountyFactory(), "532401100001"), register_number=NUMBER)
    county = CountyFactory()
    village = village_in(county)
    client.force_login(officer_of(county))

    response = client.post(reverse("producers:county-household-create"), household_form(village))

    assert response.context["form"].errors["register_number"] == [ELSEWHERE]
    assert Household.objects.count() == 1


def test_an_officer_is_told_plainly_about_a_number_of_their_own_county(client):
    county = CountyFactory()
    village = village_in(county)
    HouseholdFactory(village=village, register_number=NUMBER)
    client.force_login(officer_of(county))

    response = client.post(reverse("producers:county-household-create"), household_form(village))

    assert response.context["form"].errors["register_number"] == ["该建档立卡编号已登记。"]


def test_a_csv_import_does_not_confirm_a_number_of_another_county():
    HouseholdFactory(village=village_in(CountyFactory(), "532401100001"), register_number=NUMBER)
    county = CountyFactory()
    village_in(county)
    text = (
        "register_number,head_name,phone,village_code,size,status,"
        "baseline_income_per_head,registered_year\r\n"
        f"{NUMBER},吉克阿呷,13900001111,513431100001,4,poor,3200.50,2015\r\n"
    )

    result = households_import(
        officer=officer_of(county),
        file=SimpleUploadedFile("import.csv", text.encode(), content_type="text/csv"),
    )

    assert [(error.line, error.message) for error in result.errors] == [(2, ELSEWHERE)]
