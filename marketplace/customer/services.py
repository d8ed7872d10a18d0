"""Customer registration that does not tell who has an account.

Whatever the address, the visitor is told the same thing ("check your e-mail") and the
address gets one e-mail: a new address (or one whose registration is still pending) a link
to a page where the mailbox's owner sets the password, which activates the account
(created inactive, pending, without a usable password); an address that has any other
account, active or switched off, a notice to its owner, and the account does not change."""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from oscar.core.compat import get_user_model

from marketplace.users.services import mobile_code_verify, privacy_consent_record

User = get_user_model()


class RegistrationTokenGenerator(PasswordResetTokenGenerator):
    """One-time links confirming a registration, bound to the account: they lapse with
    PASSWORD_RESET_TIMEOUT, once the account signs in, or when its password changes (a
    later registration draws a new unusable one; the link's page sets the real one)."""

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


def _is_pending(user) -> bool:
    # Only an account that registration created and whose mailbox is not yet proven; an
    # account staff switched off (even before its first sign-in) is not one.
    return user.registration_pending and not user.is_active


def customer_register(*, email: str, privacy_policy, language: str) -> None:
    """Register `email` (normalised by the form) or mail its owner; the same for the caller.
    A new or still pending account records the consent to `privacy_policy` (None: the
    default text) shown in `language`; an existing account changes in nothing.

    No password is taken here: whoever opens the link proves they hold the mailbox and
    sets the password there (registration_complete), so a stranger registering someone
    else's address first, or again, never chooses the password of the account."""
    existing = User._default_manager.filter(email__iexact=email).first()
    if existing is None:
        user = User(email=email, is_active=False, registration_pending=True)
        user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save()
                privacy_consent_record(user=user, policy=privacy_policy, language=language)
        except IntegrityError:  # registered at the same moment by another request
            return
        registration_confirmation_send(user=user)
        return
    if _is_pending(existing):
        # Never confirmed: a new link; the new random unusable password makes earlier ones lapse.
        existing.set_unusable_password()
        existing.save(update_fields=["password"])
        privacy_consent_record(user=existing, policy=privacy_policy, language=language)
        registration_confirmation_send(user=existing)
        return
    _existing_account_notice_send(user=existing)


def _pending_user(*, uidb64: str, token: str, queryset=None):
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (TypeError, ValueError, OverflowError, UnicodeDecodeError):
        return None
    queryset = User._default_manager.all() if queryset is None else queryset
    user = queryset.filter(pk=pk).first()
    if user is None or not _is_pending(user):
        return None
    if not registration_tokens.check_token(user, token):
        return None
    return user


def registration_link_user(*, uidb64: str, token: str):
    """The pending account a confirmation link is for, or None; reading it changes nothing
    (mail scanners open links)."""
    return _pending_user(uidb64=uidb64, token=token)


def registration_complete(*, uidb64: str, token: str, password: str):
    """Set the password chosen on the link's page and activate the account; None when the
    link is no longer valid. The link works once: the password it was made with changes."""
    with transaction.atomic():
        user = _pending_user(
            uidb64=uidb64, token=token, queryset=User._default_manager.select_for_update()
        )
        if user is None:
            return None
        user.set_password(password)
        user.is_active = True
        user.registration_pending = False
        user.save(update_fields=["password", "is_active", "registration_pending"])
    return user


# --- registration with a mobile number ------------------------------------------------------


def customer_register_mobile(
    *, mobile: str, code: str, password: str, privacy_policy, language: str
):
    """An active account for `mobile`, signed in with `password`, once `code` is the live
    code texted to that number (mobile_code_send); None when the code is wrong, expired or
    used up, or the number has an account by now. The consent to `privacy_policy` (None:
    the default text) shown in `language` is recorded with the account. No e-mail address
    is taken here: one can be added in the account's profile later."""
    if not mobile_code_verify(mobile=mobile, code=code):
        return None
    user = User(mobile=mobile, email=None, is_active=True)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            privacy_consent_record(user=user, policy=privacy_policy, language=language)
    except IntegrityError:  # the number was registered in the meantime
        return None
    return user
