from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oscar.apps.customer.abstract_models import AbstractUser
from wagtail.fields import RichTextField
from wagtail.models import TranslatableMixin

from producers.validators import validate_mobile_number

from .mobile import mobile_mask, mobile_normalise


class User(AbstractUser):
    """A person who signs in with an e-mail address or a mobile number (Oscar's AbstractUser).

    An account registered with a mobile number may have no e-mail address (NULL, so that
    any number of them can; an address, when set, stays unique).

    What a user may do comes from role groups (see roles.py) and, for cooperative staff,
    county officers and organisation members, from the object they are attached to.
    """

    email = models.EmailField(_("电子邮箱"), unique=True, null=True, blank=True)
    mobile = models.CharField(
        _("手机号"),
        max_length=11,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_mobile_number],
        help_text=_("11位中国大陆手机号码，可用于登录"),
    )
    nickname = models.CharField(
        _("昵称"),
        max_length=32,
        blank=True,
        help_text=_("公开榜单上显示的名字（仅在本人同意时显示）"),
    )
    # Set only by customer registration, for an account whose e-mail is not yet confirmed
    # (created inactive, without a usable password); cleared when its link is used. An
    # account switched off by staff is inactive but never pending.
    registration_pending = models.BooleanField(
        _("待确认注册"),
        default=False,
        help_text=_("通过注册创建、尚未用邮件链接确认邮箱并设置密码的账户"),
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.get_full_name() or self.email or mobile_mask(self.mobile)

    def save(self, *args, **kwargs):
        # One form for each: 11 digits or NULL, an address or NULL (never '', not unique).
        self.mobile = mobile_normalise(self.mobile) or self.mobile or None
        self.email = self.email or None
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        """林晓雯: a Chinese name is family name first, unspaced; others given name first."""
        first, last = self.first_name.strip(), self.last_name.strip()
        if any("\u4e00" <= char <= "\u9fff" for char in first + last):
            return f"{last}{first}"
        return f"{first} {last}".strip()


class MobileCode(models.Model):
    """A verification code sent by SMS to a mobile number (or, for a number that already has
    an account, a notice without a code: the row counts towards the number's rate limit).

    Only a keyed hash of the code is stored; a code lapses after SMS_CODE_MINUTES, after
    SMS_CODE_MAX_ATTEMPTS wrong tries, once used, and when a newer one is sent."""

    mobile = models.CharField(_("手机号"), max_length=11, db_index=True)
    code_hash = models.CharField(max_length=64, blank=True)  # '' for a notice: matches nothing
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{mobile_mask(self.mobile)} {self.created_at:%Y-%m-%d %H:%M}"


class PrivacyPolicy(TranslatableMixin, models.Model):
    """The privacy policy (隐私政策) people agree to at sign-up (PIPL), written in the CMS
    (a snippet; the English text is the Chinese one's translation, same translation key).

    A changed policy is a new version (a new snippet), so that each consent names the text
    that was agreed to; the current one is the latest in effect. Until one is written, the
    text shipped with the code applies, as version "0" (users/privacy_policy.html)."""

    version = models.CharField(
        _("版本"), max_length=20, help_text=_("如 2026.1；修改条款时新建一个版本")
    )
    title = models.CharField(_("标题"), max_length=100, default="隐私政策")
    body = RichTextField(_("正文"))
    effective_from = models.DateTimeField(_("生效时间"), default=timezone.now)

    panels = ["version", "title", "effective_from", "body"]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("隐私政策")
        verbose_name_plural = _("隐私政策")
        ordering = ["-effective_from", "-pk"]

    def __str__(self) -> str:
        return f"{self.title} {self.version}"


class PrivacyConsent(models.Model):
    """That a user agreed to a version of the privacy policy, and when (PIPL art. 14)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="privacy_consents", verbose_name=_("用户")
    )
    policy = models.ForeignKey(
        PrivacyPolicy,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consents",
        verbose_name=_("隐私政策"),
        help_text=_("空：同意的是系统自带的默认版本"),
    )
    version = models.CharField(_("版本"), max_length=20)
    language = models.CharField(_("语言"), max_length=10)
    agreed_at = models.DateTimeField(_("同意时间"), default=timezone.now)

    class Meta:
        verbose_name = _("隐私政策同意记录")
        verbose_name_plural = _("隐私政策同意记录")
        ordering = ["-agreed_at"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.version} {self.agreed_at:%Y-%m-%d %H:%M}"
