from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from wagtail.models import GroupPagePermission, Page

from .roles import ROLES, Role

User = get_user_model()


def _permissions_for(role: Role) -> list[Permission]:
    if role.permissions == ("*",):
        return list(Permission.objects.all())
    wanted = {tuple(name.split(".", 1)) for name in role.permissions}
    found = list(
        Permission.objects.select_related("content_type").filter(
            codename__in={codename for _, codename in wanted},
            content_type__app_label__in={app for app, _ in wanted},
        )
    )
    found = [p for p in found if (p.content_type.app_label, p.codename) in wanted]
    missing = wanted - {(p.content_type.app_label, p.codename) for p in found}
    if missing:
        names = ", ".join(sorted(".".join(m) for m in missing))
        raise ImproperlyConfigured(f"Role {role.code} names unknown permissions: {names}")
    return found


# Wagtail's and Oscar's migrations create these; every group here comes from roles.py.
FOREIGN_DEFAULT_GROUPS = ("Editors", "Moderators", "All Oscar Dashboard Permissions")


@transaction.atomic
def roles_sync() -> list[Group]:
    """Create or update one group per role so it holds exactly the declared permissions."""
    Group.objects.filter(name__in=FOREIGN_DEFAULT_GROUPS).delete()
    groups = []
    root = Page.get_first_root_node()
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role.code)
        group.permissions.set(_permissions_for(role))
        if root is not None:
            page_permissions = Permission.objects.filter(
                content_type__app_label="wagtailcore", codename__in=role.page_permissions
            )
            GroupPagePermission.objects.filter(group=group).exclude(
                page=root, permission__in=page_permissions
            ).delete()
            for permission in page_permissions:
                GroupPagePermission.objects.get_or_create(
                    group=group, page=root, permission=permission
                )
        groups.append(group)
    return groups


def user_assign_role(*, user: User, role: Role) -> None:
    user.groups.add(Group.objects.get(name=role.code))


def user_has_role(*, user: User, role: Role) -> bool:
    return user.is_authenticated and user.groups.filter(name=role.code).exists()
