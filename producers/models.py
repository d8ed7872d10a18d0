from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import crypto
from .fields import EncryptedTextField
from .validators import validate_credit_code, validate_mobile_number


class Region(models.Model):
    """An administrative division, from province down to village."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, _("省级")
        CITY = 2, _("地市级")
        COUNTY = 3, _("县级")
        TOWNSHIP = 4, _("乡镇")
        VILLAGE = 5, _("村")

    class Side(models.TextChoices):
        EAST = "east", _("东部")
        WEST = "west", _("西部")

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    name_en = models.CharField(_("英文名称"), max_length=128, blank=True)
    level = models.PositiveSmallIntegerField(_("级别"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        related_name="children",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    side = models.CharField(_("东西部"), max_length=4, choices=Side.choices)
    is_poor_county = models.BooleanField(_("贫困县"), default=False)
    is_deep_poverty = models.BooleanField(_("深度贫困地区"), default=False)
    is_supervision_target = models.BooleanField(_("挂牌督战"), default=False)
    exit_year = models.PositiveSmallIntegerField(_("脱贫摘帽年份"), null=True, blank=True)

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ("code",)
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level=1, parent__isnull=True)
                | models.Q(level__gt=1, parent__isnull=False),
                name="region_parent_matches_level",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    def clean(self):
        if self.parent_id and self.parent.level != self.level - 1:
            raise ValidationError({"parent": _("上级区划必须是紧邻的上一级。")})
        if self.parent_id and self.parent.side != self.side:
            raise ValidationError({"side": _("东西部属性必须与上级区划一致。")})
        poverty_flags = self.is_poor_county or self.is_deep_poverty or self.is_supervision_target
        if poverty_flags and self.side != self.Side.WEST:
            raise ValidationError(_("只有西部地区可以标注贫困、深度贫困或挂牌督战。"))
        if self.is_poor_county and self.level != self.Level.COUNTY:
            raise ValidationError({"is_poor_county": _("贫困县标注只适用于县级区划。")})


class Cooperative(models.Model):
    """A producer in a poor area: farmers' cooperative, leading enterprise, family farm…"""

    class Kind(models.TextChoices):
        FARMERS_COOPERATIVE = "farmers_cooperative", _("农民专业合作社")
        LEADING_ENTERPRISE = "leading_enterprise", _("龙头企业")
        FAMILY_FARM = "family_farm", _("家庭农场")
        VILLAGE_COLLECTIVE = "village_collective", _("村集体经济组织")

    class State(models.TextChoices):
        DRAFT = "draft", _("未申请")
        APPLIED = "applied", _("待审核")
        CHANGES_REQUESTED = "changes_requested", _("需补充材料")
        CERTIFIED = "certified", _("已认定")
        REJECTED = "rejected", _("未通过")
        SUSPENDED = "suspended", _("已暂停")

    legal_name = models.CharField(_("名称"), max_length=128)
    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    kind = models.CharField(_("类型"), max_length=24, choices=Kind.choices)
    village = models.ForeignKey(
        Region,
        verbose_name=_("所在村"),
        related_name="cooperatives",
        on_delete=models.PROTECT,
        limit_choices_to={"level": Region.Level.VILLAGE},
    )
    # The county office of this county certifies the cooperative; kept for cheap lookups.
    county = models.ForeignKey(
        Region,
        verbose_name=_("所在县"),
        related_name="county_cooperatives",
        on_delete=models.PROTECT,
        editable=False,
    )
    contact_name = models.CharField(_("联系人"), max_length=32)
    contact_phone = models.CharField(
        _("联系电话"), max_length=11, validators=[validate_mobile_number]
    )
    description = models.TextField(_("简介"), blank=True)
    state = models.CharField(
        _("认定状态"), max_length=20, choices=State.choices, default=State.DRAFT
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("合作社")
        verbose_name_plural = _("合作社")
        ordering = ("legal_name",)
        permissions = [("review_cooperative", _("审核合作社认定申请"))]

    def __str__(self) -> str:
        return self.legal_name

    def clean(self):
        if self.village_id:
            county = self.village.parent.parent if self.village.parent else None
            if self.village.level != Region.Level.VILLAGE or county is None:
                raise ValidationError({"village": _("请选择一个村级区划。")})
            if county.side != Region.Side.WEST:
                raise ValidationError({"village": _("合作社必须位于西部帮扶地区。")})

    def save(self, *args, **kwargs):
        if self.village_id:
            self.county_id = self.village.parent.parent_id
        super().save(*args, **kwargs)

    @property
    def is_certified(self) -> bool:
        return self.state == self.State.CERTIFIED


class CountyOfficer(models.Model):
    """A user working in a county's poverty alleviation office (县扶贫办)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        related_name="county_office",
        on_delete=models.CASCADE,
    )
    county = models.ForeignKey(
        Region,
        verbose_name=_("县"),
        related_name="officers",
        on_delete=models.PROTECT,
        limit_choices_to={"level": Region.Level.COUNTY},
    )

    class Meta:
        verbose_name = _("县扶贫办人员")
        verbose_name_plural = _("县扶贫办人员")

    def __str__(self) -> str:
        return f"{self.user} · {self.county}"


class HouseholdQuerySet(models.QuerySet):
    def with_register_number(self, register_number: str):
        return self.filter(register_number_index=crypto.blind_index(register_number))


class Household(models.Model):
    """A registered poor household (建档立卡户). Personal data is encrypted at rest."""

    class Status(models.TextChoices):
        POOR = "poor", _("未脱贫")
        EXITED = "exited", _("已脱贫")
        MONITORED = "monitored", _("监测户")

    register_number = EncryptedTextField(_("建档立卡编号"))
    register_number_index = models.CharField(max_length=64, unique=True, editable=False)
    head_name = EncryptedTextField(_("户主姓名"))
    phone = EncryptedTextField(_("联系电话"), blank=True)
    village = models.ForeignKey(
        Region,
        verbose_name=_("所在村"),
        related_name="households",
        on_delete=models.PROTECT,
        limit_choices_to={"level": Region.Level.VILLAGE},
    )
    # The county office that owns the household record.
    county = models.ForeignKey(
        Region,
        verbose_name=_("所在县"),
        related_name="county_households",
        on_delete=models.PROTECT,
        editable=False,
    )
    size = models.PositiveSmallIntegerField(_("家庭人口"), validators=[MinValueValidator(1)])
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    baseline_income_per_head = models.DecimalField(
        _("人均基础年收入（元）"),
        max_digits=10,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.00"))],
    )
    registered_year = models.PositiveSmallIntegerField(_("建档立卡年份"))

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        verbose_name = _("建档立卡户")
        verbose_name_plural = _("建档立卡户")
        ordering = ("village", "id")
        permissions = [("view_household_register", _("查看完整的建档立卡编号"))]
        constraints = [
            models.CheckConstraint(condition=models.Q(size__gte=1), name="household_size_positive")
        ]

    def __str__(self) -> str:
        return self.masked_register_number

    @property
    def masked_register_number(self) -> str:
        return crypto.mask(self.register_number)

    def clean(self):
        if self.village_id and self.village.level != Region.Level.VILLAGE:
            raise ValidationError({"village": _("请选择一个村级区划。")})
        if self.register_number:
            self.register_number = self.register_number.strip().upper()
            duplicate = Household.objects.with_register_number(self.register_number).exclude(
                pk=self.pk
            )
            if duplicate.exists():
                raise ValidationError({"register_number": _("该建档立卡编号已登记。")})

    def save(self, *args, **kwargs):
        self.register_number_index = crypto.blind_index(self.register_number)
        if self.village_id:
            self.county_id = self.village.parent.parent_id
        super().save(*args, **kwargs)
