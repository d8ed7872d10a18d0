import math
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from wagtail.models import GroupPagePermission, Page

from .models import MobileCode, PrivacyConsent
from .roles import ROLES, Role
from .sms import sms_send

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
        group, _created = Group.objects.get_or_create(name=role.code)
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


# --- verification codes sent by SMS ---------------------------------------------------------


class MobileCodeRateLimited(Exception):
    """Too many codes for this number lately; `seconds` until the next may be sent."""

    def __init__(self, seconds: int):
        super().__init__(seconds)
        self.seconds = seconds


def _code_hash(*, mobile: str, code: str) -> str:
    # Keyed with SECRET_KEY: a copy of the database alone does not give the codes away.
    return salted_hmac(
        "marketplace.users.MobileCode", f"{mobile}:{code}", algorithm="sha256"
    ).hexdigest()


def _wait_seconds(*, mobile: str, now) -> int:
    """0 if a code may be sent to `mobile` now, else how many seconds until one may."""
    hour_ago = now - timedelta(hours=1)
    sent = list(
        MobileCode.objects.filter(mobile=mobile, created_at__gt=hour_ago)
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )
    free_at = [now]
    if sent:
        free_at.append(sent[-1] + timedelta(seconds=settings.SMS_RESEND_SECONDS))
    if len(sent) >= settings.SMS_CODES_PER_HOUR:
        free_at.append(sent[-settings.SMS_CODES_PER_HOUR] + timedelta(hours=1))
    return max(0, math.ceil((max(free_at) - now).total_seconds()))


def mobile_code_send(*, mobile: str) -> None:
    """Text a sign-up code to `mobile` (11 digits, normalised by the form).

    A number that already has an account gets a notice instead (sign in, or reset the
    password), so that the page, the same either way, tells no one which numbers have
    accounts. Raises MobileCodeRateLimited (SMS_RESEND_SECONDS between messages, at most
    SMS_CODES_PER_HOUR an hour per number) or sms.SmsUnavailable."""
    now = timezone.now()
    with transaction.atomic():
        # One sender at a time per number: the rate limit holds under concurrent requests.
        list(MobileCode.objects.select_for_update().filter(mobile=mobile).values_list("pk"))
        wait = _wait_seconds(mobile=mobile, now=now)
        if wait:
            raise MobileCodeRateLimited(wait)
        minutes = settings.SMS_CODE_MINUTES
        if User._default_manager.filter(mobile=mobile).exists():
            code_hash = ""
            text = _(
                "【东西】该手机号已注册东西账户，请直接用手机号和密码登录。如非本人操作，请忽略本短信。"
            )
        else:
            code = f"{secrets.randbelow(10**6):06d}"
            code_hash = _code_hash(mobile=mobile, code=code)
            text = _(
                "【东西】您的注册验证码是 %(code)s，%(minutes)s 分钟内有效。请勿告诉他人。"
            ) % {"code": code, "minutes": minutes}
        MobileCode.objects.create(
            mobile=mobile, code_hash=code_hash, expires_at=now + timedelta(minutes=minutes)
        )
        # Sent inside the transaction: a provider that refuses leaves no row to wait for.
        sms_send(mobile=mobile, text=text)


def mobile_code_verify(*, mobile: str, code: str) -> bool:
    """Whether `code` is the latest live code sent to `mobile`; a right code is used up, a
    wrong one counts an attempt (after SMS_CODE_MAX_ATTEMPTS the code is dead)."""
    now = timezone.now()
    with transaction.atomic():
        latest = MobileCode.objects.select_for_update().filter(mobile=mobile).first()
        if (
            latest is None
            or not latest.code_hash
            or latest.used_at is not None
            or latest.expires_at <= now
            or latest.attempts >= settings.SMS_CODE_MAX_ATTEMPTS
        ):
            return False
        if constant_time_compare(latest.code_hash, _code_hash(mobile=mobile, code=code.strip())):
            latest.used_at = now
            latest.save(update_fields=["used_at"])
            return True
        latest.attempts += 1
        latest.save(update_fields=["attempts"])
        return False


# --- consent to the privacy policy ----------------------------------------------------------

DEFAULT_POLICY_VERSION = "0"  # the text shipped with the code (users/privacy_policy.html)


def privacy_consent_record(*, user, policy, language: str) -> PrivacyConsent:
    """Record that `user` agreed, now, to `policy` (None: the default text) as shown in
    `language`."""
    return PrivacyConsent.objects.create(
        user=user,
        policy=policy,
        version=policy.version if policy is not None else DEFAULT_POLICY_VERSION,
        language=language,
    )
