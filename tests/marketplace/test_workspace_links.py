"""Each role finds its workspace: a header link only it sees, and sign-in lands it there
unless it asked for a page (?next=, on this site only)."""

import re

import pytest
from django.urls import reverse

from marketplace.users.roles import EDITOR, EVALUATOR, INSTITUTIONAL_BUYER
from tests.factories import PASSWORD, CooperativeStaffFactory, CountyFactory, UserFactory
from tests.marketplace.organisations.builders import member
from tests.store_factories import county_officer_create

pytestmark = pytest.mark.django_db

WORKSPACES = {
    "consumer": ("account", "/shop/accounts/", "我的账户"),
    "institutional_buyer": ("organisation", "/organisation/", "单位采购"),
    "cooperative_staff": ("cooperative", "/cooperative/", "合作社工作台"),
    "county_officer": ("county", "/county/", "县扶贫办工作台"),
    "evaluator": ("evaluation", "/evaluation/", "考核评估"),
    "editor": ("cms", "/cms-admin/", "内容编辑"),
}
ROLE_LINKS = {"organisation", "cooperative", "county", "evaluation", "cms"}


def user_of(role: str):
    return {
        "consumer": UserFactory,
        "institutional_buyer": lambda: member(roles=[INSTITUTIONAL_BUYER]),
        "cooperative_staff": CooperativeStaffFactory,
        "county_officer": lambda: county_officer_create(county=CountyFactory()),
        "evaluator": lambda: UserFactory(roles=[EVALUATOR]),
        "editor": lambda: UserFactory(roles=[EDITOR]),
    }[role]()


def header_links(html: str) -> dict[str, tuple[str, str]]:
    return {
        key: (href, label)
        for key, href, label in re.findall(
            r'<a class="nav-link" id="workspace-([a-z]+)" href="([^"]+)">([^<]+)</a>', html
        )
    }


@pytest.mark.parametrize("role", WORKSPACES)
def test_the_header_links_to_the_roles_workspace_and_no_other(client, role):
    key, path, label = WORKSPACES[role]
    client.force_login(user_of(role))

    links = header_links(client.get(reverse("catalogue:index")).content.decode())

    assert links[key] == (path, label)
    assert links["account"][1] == "我的账户"
    others = ROLE_LINKS - {key}
    assert not others & set(links), f"{role} sees {sorted(others & set(links))}"


def test_a_visitor_sees_no_workspace_link(client):
    assert header_links(client.get(reverse("catalogue:index")).content.decode()) == {}


def sign_in(client, user, query: str = ""):
    return client.post(
        reverse("customer:login") + query,
        {
            "login_submit": "1",
            "login-username": user.email,
            "login-password": PASSWORD,
            "login-redirect_url": query.removeprefix("?next=") if query else "",
        },
    )


@pytest.mark.parametrize("role", WORKSPACES)
def test_sign_in_lands_each_role_in_its_workspace(client, role):
    _key, path, _label = WORKSPACES[role]

    response = sign_in(client, user_of(role))

    assert response.status_code == 302
    assert response["Location"] == path


def test_sign_in_keeps_the_page_asked_for(client):
    response = sign_in(client, user_of("evaluator"), "?next=/shop/basket/")

    assert response["Location"] == "/shop/basket/"


def test_sign_in_never_follows_next_to_another_site(client):
    response = sign_in(client, user_of("institutional_buyer"), "?next=https://evil.example/")

    assert response["Location"] == "/organisation/"
