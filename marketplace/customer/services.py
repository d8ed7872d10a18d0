"""Customer registration that does not tell who has an account.

Whatever the address, the visitor is told the same thing ("check your e-mail") and the
address gets one e-mail: a new address a link that confirms it and activates the account
(created inactive); an address that already has an account a notice to its owner, with
the way to sign in or reset the password. The password is hashed on both paths, so the
answer takes as long either way."""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from oscar.core.compat import get_user_model

User = get_user_model()


class RegistrationTokenGenerator(PasswordResetTokenGenerator):
    """One-time links confirming a registration: they lapse with PASSWORD_RESET_TIMEOUT,
    once the account signs in, or when its password changes (a later registration)."""

    key_salt = "marketplace.customer.services.RegistrationTokenGenerator"


registration_tokens = RegistrationTokenGenerator()


def _site_url(path: str) -> str:
    # The configured address, never the request's Host header.
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def _mail(*, template: str, recipient: str, context: dict) -> None:
    subject = render_to_string(f"customer/emails/{template}_subject.txt", context)
    body = render_to_string(f"customer/emails/{template}_body.txt", context)
    send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [recipient])


def registration_confirmation_send(*, user) -> None:
    path = reverse(
        "customer:register-confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": registration_tokens.make_token(user),
        },
    )
    _mail(
        template="registration_confirm",
        recipient=user.email,
        context={"confirm_url": _site_url(path), "user": user},
    )


def _existing_account_notice_send(*, user) -> None:
    _mail(
        template="registration_existing",
        recipient=user.email,
        context={
            "login_url": _site_url(reverse("customer:login")),
            "reset_url": _site_url(reverse("password-reset")),
            "user": user,
        },
    )


def _is_unconfirmed(user) -> bool:
    return not user.is_active and user.last_login is None


def customer_register(*, email: str, password: str) -> None:
    """Register `email` (normalised by the form) or mail its owner; the same for the caller."""
    existing = User._default_manager.filter(email__iexact=email).first()
    if existing is None:
        user = User(email=email, is_active=False)
        user.set_password(password)
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:  # registered at the same moment by another request
            return
        registration_confirmation_send(user=user)
        return
    if _is_unconfirmed(existing):
        # Never confirmed: the latest registration's password, and a new link (the old
        # one lapses, as the password changed).
        existing.set_password(password)
        existing.save(update_fields=["password"])
        registration_confirmation_send(user=existing)
        return
    make_password(password)  # the same work as a new account: no timing difference
    _existing_account_notice_send(user=existing)


def registration_confirm(*, uidb64: str, token: str):
    """The account the link confirms, now active; None for a link that is not valid."""
    from django.utils.http import urlsafe_base64_decode

    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    user = User._default_manager.filter(pk=pk).first()
    if user is None or not _is_unconfirmed(user):
        return None
    if not registration_tokens.check_token(user, token):
        return None
    user.is_active = True
    user.save(update_fields=["is_active"])
    return user
