"""Signing in with a mobile number: the login form's one box takes a mobile number or an
e-mail address (Oscar's EmailBackend answers for addresses, this one for numbers)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q

from .mobile import mobile_normalise

User = get_user_model()


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
            permissions = Permission.objects.all()
            if not user_obj.is_superuser:
                permissions = permissions.filter(Q(user=user_obj) | Q(group__user=user_obj))
            rows = permissions.values_list("content_type__app_label", "codename").order_by()
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}
        return user_obj._perm_cache
