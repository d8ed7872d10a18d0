"""Every signed-in request loads its user through the backend that signed them in: by a
compiled statement, the same account as Django's own lookup, and never an account that may
no longer sign in. On PostgreSQL the same statement brings exactly the permissions Django
would read for them."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.forms.models import model_to_dict
from django.test import Client
from django.urls import reverse

from marketplace.users.backends import EmailBackend, MobileBackend
from tests.factories import UserFactory
from tests.marketplace.signed_in import sign_in

pytestmark = pytest.mark.django_db

MOBILE = "13800138000"
OSCAR_EMAIL_BACKEND = "oscar.apps.customer.auth_backends.EmailBackend"
# SQLite reads the permissions in a query of their own, when first asked.
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the permissions come with the user on PostgreSQL"
)


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


def permission(label: str) -> Permission:
    app_label, codename = label.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@on_postgresql
@pytest.mark.parametrize("backend", [EmailBackend, MobileBackend])
def test_the_account_comes_with_exactly_its_permissions_in_the_same_query(
    backend, django_assert_num_queries
):
    user = UserFactory()
    user.user_permissions.add(permission("order.view_order"))
    staff = Group.objects.create(name="合作社员工")
    staff.permissions.add(permission("partner.dashboard_access"))
    user.groups.add(staff)
    evaluators = Group.objects.create(name="考核评估")  # not the user's
    evaluators.permissions.add(permission("evaluation.view_scorecard"))
    UserFactory().groups.add(evaluators)

    with django_assert_num_queries(1):
        loaded = backend().get_user(user.pk)
        assert loaded.has_perm("partner.dashboard_access")
        assert loaded.has_perm("order.view_order")
        assert not loaded.has_perm("evaluation.view_scorecard")

    expected = ModelBackend().get_all_permissions(ModelBackend().get_user(user.pk))
    assert (
        loaded.get_all_permissions()
        == expected
        == {
            "order.view_order",
            "partner.dashboard_access",
        }
    )


@on_postgresql
def test_a_permission_taken_away_is_gone_on_the_next_request():
    user = UserFactory()
    staff = Group.objects.create(name="合作社员工")
    staff.permissions.add(permission("partner.dashboard_access"))
    user.groups.add(staff)
    assert EmailBackend().get_user(user.pk).has_perm("partner.dashboard_access")

    user.groups.remove(staff)

    assert not EmailBackend().get_user(user.pk).has_perm("partner.dashboard_access")
    assert EmailBackend().get_user(user.pk).get_all_permissions() == set()


def test_a_superuser_loaded_by_the_backend_has_every_permission():
    superuser = UserFactory(is_superuser=True)

    loaded = EmailBackend().get_user(superuser.pk)

    assert len(loaded.get_all_permissions()) == Permission.objects.count()
    assert loaded.has_perm("evaluation.view_scorecard")
