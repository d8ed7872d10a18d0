"""Nobody learns from a registration form that an account or a household exists.

Customer registration answers "check your e-mail" whatever the address: a new address gets
a link that confirms it and activates the account; an address that already has one gets a
notice to its owner, and nothing about the account changes. A county officer entering a
register number that another county holds is not told that it is registered (nor where);
the county that holds it is told plainly, as it is its own register."""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
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
        {"email": email, "password1": password, "password2": password},
    )


def register_on_the_login_page(client, email: str, password: str = NEW_PASSWORD):
    return client.post(
        reverse("customer:login"),
        {
            "registration-email": email,
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


def test_a_new_address_is_confirmed_by_its_link_which_signs_in_once(client):
    register(client, "wang.wu@dongxi.example")

    user = User.objects.get(email="wang.wu@dongxi.example")
    assert not user.is_active
    (confirmation,) = mail.outbox
    link = link_in(confirmation)

    response = client.get(link)

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    user.refresh_from_db()
    assert user.is_active
    client.logout()
    assert client.get(link).status_code == 404  # used once


def test_a_second_registration_before_confirming_makes_the_first_link_lapse(client):
    register(client, "wang.wu@dongxi.example", password="first password 2026")
    register(client, "wang.wu@dongxi.example", password="second password 2026")

    first, second = (link_in(message) for message in mail.outbox)

    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 302
    assert User.objects.get(email="wang.wu@dongxi.example").check_password("second password 2026")


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
