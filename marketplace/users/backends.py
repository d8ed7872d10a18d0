"""Signing in with a mobile number: the login form's one box takes a mobile number or an
e-mail address (EmailBackend, Oscar's, answers for addresses, MobileBackend for numbers).

Both load the signed-in user of every request (get_user) by a statement compiled once per
process: building Django's `get(pk=…)` costs more than PostgreSQL takes to answer it. On
PostgreSQL the same statement brings the user's permissions (their own and their groups',
as `get_all_permissions` reads them), which the header asks on every page: one round trip
to the database instead of two. Both are read from the primary."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.postgres.expressions import ArraySubquery
from django.db import connections, router
from django.db.models import CharField, Q, Value
from django.db.models.functions import Concat
from oscar.apps.customer.auth_backends import EmailBackend as OscarEmailBackend

from core.statements import Statement

from .mobile import mobile_normalise

User = get_user_model()


def _permissions_held(user_id: int):
    # Two indexed subqueries rather than Django's OR across outer joins, which reads every
    # permission row.
    own = User.user_permissions.through.objects.filter(user_id=user_id)
    of_groups = Group.permissions.through.objects.filter(group__user=user_id)
    return Permission.objects.filter(
        Q(pk__in=own.values("permission_id")) | Q(pk__in=of_groups.values("permission_id"))
    ).order_by()


def _permissions_of(user_id: int):
    return _permissions_held(user_id).values_list("content_type__app_label", "codename")


# Asked on every signed-in page (the header's workspaces): compiled once per process.
_PERMISSIONS = Statement(_permissions_of, model=Permission)
_ALL_PERMISSIONS = Statement(
    lambda: Permission.objects.values_list("content_type__app_label", "codename").order_by(),
    model=Permission,
)


_USER_FIELDS = [field.attname for field in User._meta.concrete_fields]
_USER = Statement(
    lambda user_id: User._default_manager.filter(pk=user_id).values_list(*_USER_FIELDS),
    model=User,
)


def _user_with_permissions(user_id: int):
    label = Concat("content_type__app_label", Value("."), "codename", output_field=CharField())
    names = _permissions_held(user_id).annotate(label=label)
    return (
        User._default_manager.filter(pk=user_id)
        .annotate(permission_names=ArraySubquery(names.values("label")))
        .values_list(*_USER_FIELDS, "permission_names")
    )


_USER_WITH_PERMISSIONS = Statement(_user_with_permissions, model=User)


class UserByIdMixin:
    """ModelBackend's get_user (the account, if it may still sign in), its row read by a
    compiled statement."""

    def get_user(self, user_id):
        alias = router.db_for_read(User)
        with_permissions = connections[alias].vendor == "postgresql"
        statement = _USER_WITH_PERMISSIONS if with_permissions else _USER
        rows = statement.rows(user_id=User._meta.pk.to_python(user_id))
        if not rows:
            return None
        user = User.from_db(alias, _USER_FIELDS, rows[0][: len(_USER_FIELDS)])
        if not self.user_can_authenticate(user):
            return None
        if with_permissions and not user.is_superuser:
            # Where get_all_permissions keeps them (a superuser's: all, read when asked).
            user._perm_cache = set(rows[0][-1])
        return user


class EmailBackend(UserByIdMixin, OscarEmailBackend):
    """Oscar's e-mail address and password."""


class MobileBackend(UserByIdMixin, ModelBackend):
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
