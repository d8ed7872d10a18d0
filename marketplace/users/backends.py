"""Signing in with a mobile number: the login form's one box takes a mobile number or an
e-mail address (Oscar's EmailBackend answers for addresses, this one for numbers)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from core.statements import Statement

from .mobile import mobile_normalise

User = get_user_model()


def _permissions_of(user_id: int):
    # Two indexed subqueries rather than Django's OR across outer joins, which reads every
    # permission row.
    own = User.user_permissions.through.objects.filter(user_id=user_id)
    of_groups = Group.permissions.through.objects.filter(group__user=user_id)
    return (
        Permission.objects.filter(
            Q(pk__in=own.values("permission_id")) | Q(pk__in=of_groups.values("permission_id"))
        )
        .values_list("content_type__app_label", "codename")
        .order_by()
    )


# Asked on every signed-in page (the header's workspaces): compiled once per process.
_PERMISSIONS = Statement(_permissions_of, model=Permission)
_ALL_PERMISSIONS = Statement(
    lambda: Permission.objects.values_list("content_type__app_label", "codename").order_by(),
    model=Permission,
)


class MobileBackend(ModelBackend):
    """A mainland mobile number (as people type it: spaces, dashes, +86) and the password
    of the account that number belongs to; anything else is left to the next backend."""

    def authenticate(self, request, username=None, password=None, mobile=None, **kwargs):
        number = mobile_normalise(mobile or username)
        if not number or password is None:
            return None
        user = User._default_manager.filter(mobile=number).first()
        if user is None:
            # As long as for an existing account, so that timing tells no one which exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_all_permissions(self, user_obj, obj=None):
        # Django's ModelBackend reads the user's own and their groups' permissions in two
        # queries; one here, kept where Django keeps it, so the backends after this one
        # (and every has_perm of the request: the header asks on every page) reuse it.
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                rows = _ALL_PERMISSIONS.rows()
            else:
                rows = _PERMISSIONS.rows(user_id=user_obj.pk)
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}
        return user_obj._perm_cache
