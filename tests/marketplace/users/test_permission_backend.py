"""The permissions a signed-in user has are read in one query (the header asks on every
page), and are exactly Django's: their own, their groups', all for a superuser, none for an
inactive account."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission

from marketplace.users.backends import MobileBackend
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def fresh(user):
    return type(user).objects.get(pk=user.pk)  # no cached permissions


@pytest.fixture
def clerk():
    user = UserFactory()
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="order", codename="view_order")
    )
    group = Group.objects.create(name="合作社员工")
    group.permissions.add(
        Permission.objects.get(content_type__app_label="partner", codename="dashboard_access")
    )
    user.groups.add(group)
    return user


def test_own_and_group_permissions_in_one_query(clerk, django_assert_num_queries):
    user = fresh(clerk)
    with django_assert_num_queries(1):
        permissions = MobileBackend().get_all_permissions(user)
        assert user.has_perm("partner.dashboard_access")  # read again from the user
        assert not user.has_perm("catalogue.certify_product")

    assert permissions == {"order.view_order", "partner.dashboard_access"}
    assert permissions == ModelBackend().get_all_permissions(fresh(clerk))


def test_superuser_has_all_and_an_inactive_account_none(clerk):
    superuser = UserFactory(is_superuser=True)
    assert MobileBackend().get_all_permissions(
        fresh(superuser)
    ) == ModelBackend().get_all_permissions(fresh(superuser))
    assert len(MobileBackend().get_all_permissions(fresh(superuser))) == Permission.objects.count()

    clerk.is_active = False
    clerk.save()
    assert MobileBackend().get_all_permissions(fresh(clerk)) == set()
    assert not fresh(clerk).has_perm("partner.dashboard_access")
