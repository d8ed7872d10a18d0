from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from producers.models import Region


class Pairing(models.Model):
    """An assistance relationship: an eastern region (east–west cooperation) or a central
    organisation (designated assistance) paired with a western region."""

    class Kind(models.TextChoices):
        EAST_WEST = "east_west", _("东西部协作")
        DESIGNATED = "designated", _("定点帮扶")

    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    east_region = models.ForeignKey(
        Region,
        verbose_name=_("东部帮扶地区"),
        related_name="pairings_as_east",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    assisting_unit = models.CharField(
        _("定点帮扶单位"), max_length=128, blank=True, help_text=_("定点帮扶时填写中央单位名称")
    )
    # The unit's purchases on the platform count as the designated pairing's "amount bought".
    assisting_organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("帮扶单位采购账户"),
        related_name="designated_pairings",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    west_region = models.ForeignKey(
        Region,
        verbose_name=_("西部受帮扶地区"),
        related_name="pairings_as_west",
        on_delete=models.PROTECT,
    )
    start_year = models.PositiveSmallIntegerField(_("起始年份"))
    end_year = models.PositiveSmallIntegerField(_("终止年份"), null=True, blank=True)

    class Meta:
        verbose_name = _("结对关系")
        verbose_name_plural = _("结对关系")
        ordering = ("kind", "id")
        permissions = [
            ("view_scorecard", _("查看考核评分")),
            ("lock_year", _("锁定考核年度")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["east_region", "west_region"],
                condition=models.Q(kind="east_west"),
                name="unique_east_west_pairing",
            ),
            models.UniqueConstraint(
                fields=["assisting_unit", "west_region"],
                condition=models.Q(kind="designated"),
                name="unique_designated_pairing",
            ),
        ]

    def __str__(self) -> str:
        helper = self.east_region.display_name if self.east_region_id else self.assisting_unit
        return f"{helper} → {self.west_region.display_name}"

    def is_active_in(self, year: int) -> bool:
        return self.start_year <= year and (self.end_year is None or year <= self.end_year)

    def clean(self):
        errors = {}
        if self.kind == self.Kind.EAST_WEST:
            if not self.east_region_id:
                errors["east_region"] = _("东西部协作必须指定东部地区。")
            elif self.east_region.side != Region.Side.EAST:
                errors["east_region"] = _("帮扶方必须是东部地区。")
        if self.kind == self.Kind.DESIGNATED and not self.assisting_unit:
            errors["assisting_unit"] = _("定点帮扶必须填写帮扶单位。")
        if self.west_region_id and self.west_region.side != Region.Side.WEST:
            errors["west_region"] = _("受帮扶方必须是西部地区。")
        if (
            self.end_year is not None
            and self.start_year is not None
            and self.end_year < self.start_year
        ):
            errors["end_year"] = _("终止年份不能早于起始年份。")
        if errors:
            raise ValidationError(errors)


class Agreement(models.Model):
    """A pairing's agreement / letter of responsibility (协议书、责任书) for one year: the
    targets its scorecard is measured against."""

    pairing = models.ForeignKey(
        Pairing, verbose_name=_("结对关系"), related_name="agreements", on_delete=models.PROTECT
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    target_bought = models.DecimalField(
        _("采购额目标（元）"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    target_helped = models.DecimalField(
        _("帮助销售额目标（元）"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    target_households = models.PositiveIntegerField(_("带动建档立卡户数目标"), default=0)
    target_certified_products = models.PositiveIntegerField(
        _("销售认定扶贫产品种数目标"), default=0
    )
    signed_on = models.DateField(_("签订日期"), null=True, blank=True)
    reference = models.CharField(_("文号"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("协议书/责任书")
        verbose_name_plural = _("协议书/责任书")
        ordering = ("year", "pairing_id")
        constraints = [
            models.UniqueConstraint(fields=["pairing", "year"], name="one_agreement_per_year"),
            models.CheckConstraint(
                condition=models.Q(target_bought__gte=0, target_helped__gte=0),
                name="agreement_targets_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pairing} · {self.year}"

    def clean(self):
        if self.pairing_id and self.year and not self.pairing.is_active_in(self.year):
            raise ValidationError({"year": _("该年度不在结对关系的有效期内。")})
