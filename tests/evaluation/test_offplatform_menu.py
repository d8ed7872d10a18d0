"""The organisation workspace's menu links to off-platform sales for whoever may record
them there: an approved admin of an organisation of an eastern region (the rule of the
off-platform pages). Evaluation adds the entry; the store's templates name no URL of it."""

import re

import pytest
from django.urls import reverse

from marketplace.organisations.models import Membership
from marketplace.users.roles import INSTITUTIONAL_BUYER
from producers.models import Region
from tests.factories import CityFactory, MembershipFactory, OrganisationFactory, UserFactory

from .offplatform_helpers import organisation_admin

pytestmark = pytest.mark.django_db

OFFPLATFORM = reverse("evaluation:offplatform-list")


def menu_links(response) -> list[str]:
    assert response.status_code == 200
    menu = response.content.decode().split("workspace-nav__title", 1)[1].split("</ul>", 1)[0]
    return re.findall(r'href="([^"]+)"', menu)


def dashboard(organisation) -> str:
    return reverse("organisations:dashboard", args=[organisation.pk])


def member(organisation, role, state=Membership.State.APPROVED):
    user = UserFactory(roles=[INSTITUTIONAL_BUYER])
    MembershipFactory(organisation=organisation, user=user, role=role, state=state)
    return user


def test_an_eastern_organisations_admin_finds_off_platform_sales_in_its_menu(client):
    organisation, admin = organisation_admin()
    client.force_login(admin)

    links = menu_links(client.get(dashboard(organisation)))

    assert OFFPLATFORM in links
    assert links[-1] == reverse("organisations:home")  # added entries come before it
    assert client.get(OFFPLATFORM).status_code == 200


@pytest.mark.parametrize("role", [Membership.Role.BUYER, Membership.Role.APPROVER])
def test_other_members_of_the_organisation_see_no_such_entry(client, role):
    organisation, _admin = organisation_admin()
    client.force_login(member(organisation, role))

    assert OFFPLATFORM not in menu_links(client.get(dashboard(organisation)))
    assert client.get(OFFPLATFORM).status_code == 403


def test_an_admin_sees_it_only_on_the_eastern_organisation_they_administer(client):
    organisation, admin = organisation_admin()
    other = OrganisationFactory()
    MembershipFactory(organisation=other, user=admin, state=Membership.State.APPROVED)
    client.force_login(admin)

    assert OFFPLATFORM in menu_links(client.get(dashboard(organisation)))
    assert OFFPLATFORM not in menu_links(client.get(dashboard(other)))


def test_an_admin_of_an_organisation_outside_the_east_sees_no_such_entry(client):
    # Organisations belong to eastern regions (the form says so); a western one written
    # around it still gives its admin no off-platform pages.
    western = OrganisationFactory(home_region=CityFactory(side=Region.Side.WEST))
    admin = member(western, Membership.Role.ADMIN)
    client.force_login(admin)

    assert OFFPLATFORM not in menu_links(client.get(dashboard(western)))
    assert client.get(OFFPLATFORM).status_code == 403


def test_a_platform_admin_who_is_no_member_sees_no_such_entry(client):
    organisation, _admin = organisation_admin()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    assert OFFPLATFORM not in menu_links(client.get(dashboard(organisation)))
