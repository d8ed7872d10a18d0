"""Who reaches which back office: Oscar's dashboard, Wagtail's admin, Django's admin."""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from marketplace.users import roles
from tests.factories import PartnerFactory, UserFactory

pytestmark = pytest.mark.django_db

DASHBOARD = "/shop/dashboard/"
CMS_ADMIN = "/cms-admin/"
DJANGO_ADMIN = "/django-admin/"


def redirects_to_login(response, login_url_name: str) -> bool:
    return response.status_code == 302 and urlsplit(response["Location"]).path == reverse(
        login_url_name
    )


@pytest.mark.parametrize(
    ("url", "login_url_name"),
    [
        (DASHBOARD, "dashboard:login"),
        (CMS_ADMIN, "wagtailadmin_login"),
        (DJANGO_ADMIN, "admin:login"),
    ],
)
def test_anonymous_visitor_is_sent_to_the_back_office_login(client, url, login_url_name):
    # Given an anonymous visitor
    # When they open a back office
    response = client.get(url)

    # Then they are redirected to its login page, with the way back
    assert redirects_to_login(response, login_url_name)
    assert f"next={url}" in response["Location"]


def test_consumer_is_refused_the_store_dashboard(client):
    client.force_login(UserFactory(roles=[roles.CONSUMER]))

    response = client.get(DASHBOARD)

    assert response.status_code == 403


def test_consumer_is_refused_the_cms_admin(client):
    client.force_login(UserFactory(roles=[roles.CONSUMER]))

    response = client.get(CMS_ADMIN)

    assert redirects_to_login(response, "wagtailadmin_login")


def test_consumer_is_refused_the_django_admin(client):
    client.force_login(UserFactory(roles=[roles.CONSUMER]))

    response = client.get(DJANGO_ADMIN)

    assert redirects_to_login(response, "admin:login")


def test_editor_reaches_the_cms_admin(client):
    client.force_login(UserFactory(roles=[roles.EDITOR]))

    response = client.get(CMS_ADMIN)

    assert response.status_code == 200


def test_editor_is_refused_the_store_dashboard(client):
    client.force_login(UserFactory(roles=[roles.EDITOR]))

    response = client.get(DASHBOARD)

    assert response.status_code == 403


@pytest.fixture
def cooperative_staff():
    """A cooperative_staff user attached to their cooperative's Oscar partner."""
    user = UserFactory(roles=[roles.COOPERATIVE_STAFF])
    PartnerFactory(users=[user])
    return user


def test_cooperative_staff_reach_the_store_dashboard(client, cooperative_staff):
    client.force_login(cooperative_staff)

    response = client.get(DASHBOARD)

    assert response.status_code == 200


def test_cooperative_staff_are_refused_the_cms_admin(client, cooperative_staff):
    client.force_login(cooperative_staff)

    response = client.get(CMS_ADMIN)

    assert redirects_to_login(response, "wagtailadmin_login")


@pytest.mark.parametrize("url", [DASHBOARD, CMS_ADMIN, DJANGO_ADMIN])
def test_platform_admin_reaches_every_back_office(client, url):
    client.force_login(UserFactory(is_staff=True, roles=[roles.PLATFORM_ADMIN]))

    response = client.get(url)

    assert response.status_code == 200
