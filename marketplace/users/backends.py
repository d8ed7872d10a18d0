"""Signing in with a mobile number: the login form's one box takes a mobile number or an
e-mail address (Oscar's EmailBackend answers for addresses, this one for numbers)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

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
