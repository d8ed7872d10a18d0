from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.money import to_yuan
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
        through_fields=("organisation", "user"),
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
        REJECTED = "rejected", _("已拒绝")

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
    requested_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)

    # What each role may do in the organisation's workspace.
    BUYING_ROLES = (Role.BUYER, Role.APPROVER, Role.ADMIN)
    APPROVING_ROLES = (Role.APPROVER, Role.ADMIN)

    class Meta:
        verbose_name = _("单位成员")
        verbose_name_plural = _("单位成员")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="one_membership_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} · {self.get_role_display()}"


class ProcurementBudget(models.Model):
    """An organisation's canteen food budget for one year; the reserved share of it is the
    year's target for poor-area products (预留份额)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="budgets", verbose_name=_("采购单位")
    )
    year = models.PositiveSmallIntegerField(
        _("年度"), validators=[MinValueValidator(2015), MaxValueValidator(2100)]
    )
    canteen_food_budget = models.DecimalField(
        _("食堂食材采购预算（元）"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    reserved_share = models.DecimalField(
        _("预留份额比例"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.100"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
    )

    class Meta:
        verbose_name = _("年度采购预算")
        verbose_name_plural = _("年度采购预算")
        ordering = ("-year",)
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="one_budget_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.year}"

    @property
    def target(self) -> Decimal:
        return to_yuan(self.canteen_food_budget * self.reserved_share)


class PurchaseRequest(models.Model):
    """An organisation order above the approval threshold, waiting for an approver. The
    basket stays frozen until the request is decided; the order is placed on approval."""

    class State(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("已驳回")
        FAILED = "failed", _("下单失败")

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="purchase_requests",
        verbose_name=_("采购单位"),
    )
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="purchase_requests",
        verbose_name=_("采购员"),
    )
    basket = models.ForeignKey(
        "basket.Basket", on_delete=models.PROTECT, related_name="+", verbose_name=_("购物车")
    )
    order_number = models.CharField(_("订单号"), max_length=128, unique=True)
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2)
    shipping_address = models.JSONField(_("收货地址"), default=dict)
    shipping_method_code = models.CharField(max_length=128)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("审批人"),
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    reason = models.CharField(_("说明"), max_length=255, blank=True)
    order = models.OneToOneField(
        "order.Order",
        on_delete=models.PROTECT,
        related_name="purchase_request",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("采购审批")
        verbose_name_plural = _("采购审批")
        ordering = ("-created_at",)
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="purchase_request_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_number} · {self.organisation}"
