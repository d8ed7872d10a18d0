"""The workspaces' menus: producers owns them, the store's product certification and the
income ledger add their entries, and producers' templates name no upper layer's URLs."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from marketplace.users import roles
from tests.factories import CooperativeFactory, CooperativeStaffFactory, CountyOfficerFactory

pytestmark = pytest.mark.django_db

PRODUCERS_TEMPLATES = Path(__file__).resolve().parents[2] / "producers" / "templates"


def menu_links(response) -> list[str]:
    menu = response.content.decode().split("workspace-nav__title", 1)[1].split("</ul>", 1)[0]
    return re.findall(r'href="([^"]+)"', menu)


def test_county_menu_has_producers_entries_then_certification_then_income(client):
    officer = CountyOfficerFactory(user__roles=[roles.COUNTY_OFFICER]).user
    client.force_login(officer)

    links = menu_links(client.get(reverse("producers:county-home")))

    added = [
        reverse("catalogue-certification:county-list"),
        reverse("income:county-balances"),
        reverse("income:county-warnings"),
        reverse("evaluation:county-reports"),  # the county's own report (evaluation)
    ]
    assert [link for link in links if link in added] == added
    assert links.index(reverse("producers:county-cooperatives")) < links.index(added[0])


def test_cooperative_menu_has_producers_entries_then_certification_then_income(client):
    staff = CooperativeStaffFactory(cooperative=CooperativeFactory())
    client.force_login(staff)

    links = menu_links(client.get(reverse("producers:cooperative-home")))

    assert links[-4:] == [
        reverse("catalogue-certification:cooperative-products"),
        reverse("income:cooperative-balances"),
        reverse("income:cooperative-supply-lots"),
        reverse("evaluation:offplatform-inbox"),  # off-platform sales to confirm (evaluation)
    ]
    assert reverse("producers:cooperative-certification") in links[:-4]


def test_producers_templates_link_only_to_producers_pages():
    names = {
        (path.name, name)
        for path in PRODUCERS_TEMPLATES.rglob("*.html")
        for name in re.findall(r"{%\s*url\s+['\"]([^'\"]+)['\"]", path.read_text())
    }
    assert names
    assert {(file, name) for file, name in names if not name.startswith("producers:")} == set()
