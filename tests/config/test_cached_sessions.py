"""Production's sessions with a shared cache (config/settings/production.py): read from the
cache, written through to the database. A signed-in buyer's next page asks no SQL for the
session, and signing out ends the session in the cache too, so the old cookie signs no one
in."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cached_sessions(settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    cache.clear()
    yield
    cache.clear()


def _session_reads(queries) -> int:
    return sum('FROM "django_session"' in q["sql"] for q in queries.captured_queries)


def test_a_signed_in_page_reads_the_session_from_the_cache(client, cached_sessions):
    client.force_login(UserFactory())
    client.get(reverse("catalogue:index"))

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("customer:profile-view"))

    assert response.status_code == 200
    assert response.wsgi_request.user.is_authenticated
    assert _session_reads(queries) == 0


def test_signing_out_ends_the_cached_session_for_its_old_cookie(client, cached_sessions):
    client.force_login(UserFactory())
    client.get(reverse("customer:profile-view"))
    old_cookie = client.cookies["sessionid"].value

    client.post(reverse("customer:logout"))

    stranger = Client()
    stranger.cookies["sessionid"] = old_cookie
    response = stranger.get(reverse("customer:profile-view"))
    assert response.status_code == 302
    assert not response.wsgi_request.user.is_authenticated
