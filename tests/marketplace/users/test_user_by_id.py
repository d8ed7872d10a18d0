"""Every signed-in request loads its user through the backend that signed them in: by a
compiled statement, the same account as Django's own lookup, and never an account that may
no longer sign in."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse

from marketplace.users.backends import EmailBackend, MobileBackend
from tests.factories import UserFactory
from tests.marketplace.signed_in import sign_in

pytestmark = pytest.mark.django_db

MOBILE = "13800138000"
OSCAR_EMAIL_BACKEND = "oscar.apps.customer.auth_backends.EmailBackend"


def fields(user) -> dict:
    return {f.attname: getattr(user, f.attname) for f in type(user)._meta.concrete_fields}


@pytest.mark.parametrize("backend", [EmailBackend, MobileBackend])
def test_the_backend_loads_the_same_account_as_django_in_one_query(
    backend, django_assert_num_queries
):
    user = UserFactory(mobile=MOBILE, first_name="小明", last_name="王")
    UserFactory()  # another account

    with django_assert_num_queries(1):
        loaded = backend().get_user(user.pk)

    assert fields(loaded) == fields(ModelBackend().get_user(user.pk))
    assert model_to_dict(loaded) == model_to_dict(ModelBackend().get_user(user.pk))
    assert not loaded._state.adding
    assert loaded.get_session_auth_hash() == user.get_session_auth_hash()


def test_an_account_deactivated_or_deleted_is_not_loaded():
    user = UserFactory()
    user.is_active = False
    user.save()

    assert EmailBackend().get_user(user.pk) is None
    user.delete()
    assert EmailBackend().get_user(user.pk) is None
    assert MobileBackend().get_user(987654321) is None


def test_signing_in_by_email_keeps_the_compiled_backend_in_the_session(client):
    user = UserFactory()

    sign_in(client, user)

    assert client.session[BACKEND_SESSION_KEY] == "marketplace.users.backends.EmailBackend"
    response = client.get(reverse("customer:profile-view"))
    assert response.status_code == 200
    assert response.context["user"] == user


def test_a_session_signed_in_by_oscars_backend_before_stays_signed_in():
    user = UserFactory()
    client = Client()
    session = client.session
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = OSCAR_EMAIL_BACKEND
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    client.cookies["sessionid"] = session.session_key

    response = client.get(reverse("customer:profile-view"))

    assert response.status_code == 200
    assert response.context["user"] == user


def test_a_changed_password_still_ends_the_other_sessions(client):
    user = UserFactory()
    sign_in(client, user)
    user.set_password("另一个密码-2026-long")
    user.save()

    response = client.get(reverse("customer:profile-view"))

    assert response.status_code == 302
    assert reverse("customer:login") in response["Location"]
