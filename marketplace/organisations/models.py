from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from producers.models import Region
from producers.validators import validate_credit_code


class Organisation(models.Model):
    """An eastern buyer unit: budget unit, state enterprise, union, school…"""

    class Kind(models.TextChoices):
        BUDGET_UNIT = "budget_unit", _("预算单位")
        SOE = "soe", _("国有企业")
        PRIVATE_ENTERPRISE = "private_enterprise", _("民营企业")
        UNION = "union", _("工会")
        SCHOOL = "school", _("学校")

    name = models.CharField(_("单位名称"), max_length=128)
    kind = models.CharField(_("单位类型"), max_length=24, choices=Kind.choices)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    home_region = models.ForeignKey(
        Region,
        verbose_name=_("所在地区"),
        related_name="organisations",
        on_delete=models.PROTECT,
    )
    # Budget units reserve at least 10% of canteen food procurement for poor-area products.
    reserved_share = models.DecimalField(
        _("预留份额比例"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.100"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Membership",
        related_name="organisations",
        verbose_name=_("成员"),
    )

    class Meta:
        verbose_name = _("采购单位")
        verbose_name_plural = _("采购单位")
        ordering = ("name",)
        permissions = [("buy_for_organisation", _("以单位名义采购"))]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.home_region_id and self.home_region.side != Region.Side.EAST:
            raise ValidationError({"home_region": _("采购单位应位于东部协作地区。")})


class Membership(models.Model):
    class Role(models.TextChoices):
        BUYER = "buyer", _("采购员")
        APPROVER = "approver", _("审批人")
        ADMIN = "admin", _("单位管理员")

    class State(models.TextChoices):
        REQUESTED = "requested", _("待批准")
        APPROVED = "approved", _("已批准")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices)
    state = models.CharField(
        _("状态"), max_length=10, choices=State.choices, default=State.REQUESTED
    )

    class Meta:
        verbose_name = _("单位成员")
        verbose_name_plural = _("单位成员")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="one_membership_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"
