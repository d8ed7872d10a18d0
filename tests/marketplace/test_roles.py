"""Role groups are declared in marketplace/users/roles.py and synced after every migrate."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured
from wagtail.models import GroupPagePermission, Page

from marketplace.users import roles, services
from marketplace.users.roles import ROLES, Role
from marketplace.users.services import roles_sync, user_assign_role, user_has_role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DECLARED_ROLES = [role for role in ROLES if role.permissions != ("*",)]


def permission_names(group: Group) -> set[str]:
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def page_permission_names(group: Group) -> set[str]:
    root = Page.get_first_root_node()
    return set(
        GroupPagePermission.objects.filter(group=group, page=root).values_list(
            "permission__codename", flat=True
        )
    )


def roles_snapshot() -> dict[str, tuple[set[str], set[tuple[int, int]]]]:
    return {
        group.name: (
            permission_names(group),
            set(GroupPagePermission.objects.filter(group=group).values_list("page_id", "pk")),
        )
        for group in Group.objects.all()
    }


@pytest.mark.parametrize("role", DECLARED_ROLES, ids=lambda role: role.code)
def test_role_group_holds_exactly_its_declared_permissions_after_migrate(role):
    # Given the database as migrate left it
    # When the role's group is read
    group = Group.objects.get(name=role.code)

    # Then it holds the declared permissions and no others
    assert permission_names(group) == set(role.permissions)


def test_platform_admin_holds_every_permission():
    group = Group.objects.get(name=roles.PLATFORM_ADMIN.code)

    assert set(group.permissions.all()) == set(Permission.objects.all())


def test_every_role_has_a_group_after_migrate():
    names = set(Group.objects.values_list("name", flat=True))

    assert {role.code for role in ROLES} <= names


def test_cooperative_staff_reach_the_dashboard_but_not_the_full_household_register():
    group = Group.objects.get(name=roles.COOPERATIVE_STAFF.code)

    names = permission_names(group)

    assert "partner.dashboard_access" in names
    assert "producers.view_household_register" not in names


def test_county_officer_may_read_the_full_household_register():
    group = Group.objects.get(name=roles.COUNTY_OFFICER.code)

    assert "producers.view_household_register" in permission_names(group)


def test_evaluator_holds_no_permission_to_add_change_or_delete():
    group = Group.objects.get(name=roles.EVALUATOR.code)

    writes = {
        name
        for name in permission_names(group)
        if name.split(".")[1].startswith(("add_", "change_", "delete_"))
    }

    assert writes == set()


def test_editor_reaches_the_cms_admin_but_not_the_store_dashboard():
    group = Group.objects.get(name=roles.EDITOR.code)

    names = permission_names(group)

    assert "wagtailadmin.access_admin" in names
    assert "partner.dashboard_access" not in names


def test_editor_may_add_and_change_pages_under_the_root_page():
    group = Group.objects.get(name=roles.EDITOR.code)

    assert page_permission_names(group) == {"add_page", "change_page"}


def test_editor_and_moderator_are_the_only_roles_holding_page_permissions():
    holders = GroupPagePermission.objects.filter(
        group__name__in=[role.code for role in ROLES]
    ).values_list("group__name", flat=True)

    assert set(holders) == {roles.EDITOR.code, roles.MODERATOR.code}


def test_consumer_holds_no_permission():
    group = Group.objects.get(name=roles.CONSUMER.code)

    assert permission_names(group) == set()
    assert page_permission_names(group) == set()


def test_roles_sync_run_twice_changes_nothing():
    # Given the groups as migrate synced them
    before = roles_snapshot()

    # When the roles are synced twice more
    roles_sync()
    roles_sync()

    # Then the same groups hold the same permissions and page permission rows
    assert roles_snapshot() == before


def test_roles_sync_restores_a_permission_removed_by_hand():
    # Given an editor group that lost a permission in the Django admin
    group = Group.objects.get(name=roles.EDITOR.code)
    group.permissions.remove(Permission.objects.get(codename="access_admin"))

    # When the roles are synced
    roles_sync()

    # Then the group holds exactly its declared permissions again
    assert permission_names(group) == set(roles.EDITOR.permissions)


def test_roles_sync_removes_a_permission_granted_by_hand():
    group = Group.objects.get(name=roles.CONSUMER.code)
    group.permissions.add(Permission.objects.get(codename="view_household_register"))

    roles_sync()

    assert permission_names(group) == set()


def test_roles_sync_rejects_a_role_naming_an_unknown_permission(monkeypatch):
    # Given a role that names a permission no app defines
    ghost = Role("ghost", "ghost", ("producers.fly_to_the_moon",))
    monkeypatch.setattr(services, "ROLES", (*ROLES, ghost))

    # When / then syncing refuses, naming the permission
    with pytest.raises(ImproperlyConfigured, match="producers.fly_to_the_moon"):
        roles_sync()


def test_roles_sync_that_fails_changes_no_group(monkeypatch):
    # Given a consumer role that now asks for a permission, followed by a broken role
    consumer = Role(roles.CONSUMER.code, roles.CONSUMER.label, ("producers.view_region",))
    ghost = Role("ghost", "ghost", ("producers.fly_to_the_moon",))
    monkeypatch.setattr(services, "ROLES", (consumer, ghost))

    # When the sync fails on the broken role
    with pytest.raises(ImproperlyConfigured):
        roles_sync()

    # Then the consumer group was left as it was and no ghost group exists
    assert permission_names(Group.objects.get(name=roles.CONSUMER.code)) == set()
    assert not Group.objects.filter(name="ghost").exists()


def test_user_assign_role_makes_user_hold_the_role():
    user = UserFactory()

    user_assign_role(user=user, role=roles.EVALUATOR)

    assert user_has_role(user=user, role=roles.EVALUATOR)
    assert not user_has_role(user=user, role=roles.EDITOR)
