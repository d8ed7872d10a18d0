from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.customer.abstract_models import AbstractUser

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
