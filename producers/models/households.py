from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .. import crypto
from ..fields import EncryptedTextField
from .regions import Region


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


def register_number_taken_message(registered_county_id, county_id) -> str:
    """Why a register number cannot be registered again. The county that holds it is told
    plainly (its own register); another county is not told that the number exists
    elsewhere, nor where: the register of each county is its own."""
    if registered_county_id is not None and registered_county_id == county_id:
        return _("该建档立卡编号已登记。")
    return _("该建档立卡编号无法在本县登记，请核对编号；如确属本县农户，请联系平台管理员核实。")


# What an erased household shows in place of its register number.
ERASED_MARK = _("个人信息已删除")


def head_name_mask(name: str) -> str:
    """'张三丰' -> '张**': what is kept of the head's name once personal data is erased."""
    name = (name or "").strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else "*"


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
    # The day the household left the register (moved away, the household dissolved, or
    # removed after a check): its personal data is kept HOUSEHOLD_RETENTION_YEARS after it,
    # then erased (evaluation/services/retention.py). Leaving poverty (status) is not leaving
    # the register: an exited household stays registered and monitored.
    left_register_on = models.DateField(_("移出登记日期"), null=True, blank=True)
    # When the retention run erased the register number and phone and masked the head's
    # name. The row, its ledger entries and its facts stay: the ledger and scorecards balance.
    personal_data_erased_at = models.DateTimeField(
        _("个人信息删除时间"), null=True, blank=True, editable=False
    )

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
        if self.personal_data_erased_at is not None:
            return str(ERASED_MARK)
        return crypto.mask(self.register_number)

    @property
    def is_erased(self) -> bool:
        return self.personal_data_erased_at is not None

    def clean(self):
        if self.village_id and self.village.level != Region.Level.VILLAGE:
            raise ValidationError({"village": _("请选择一个村级区划。")})
        if self.register_number:
            self.register_number = self.register_number.strip().upper()
            duplicate_county = (
                Household.objects.with_register_number(self.register_number)
                .exclude(pk=self.pk)
                .values_list("county_id", flat=True)
                .first()
            )
            if duplicate_county is not None:
                county_id = self.village.parent.parent_id if self.village_id else None
                raise ValidationError(
                    {"register_number": register_number_taken_message(duplicate_county, county_id)}
                )

    def save(self, *args, **kwargs):
        self.register_number_index = crypto.blind_index(self.register_number)
        if self.village_id:
            self.county_id = self.village.parent.parent_id
        super().save(*args, **kwargs)
