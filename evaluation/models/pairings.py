from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

# Which regions are paired lives with the regions (producers); evaluation code keeps
# importing it from here.
from producers.models import Pairing


class DesignatedBuyer(models.Model):
    """The store account of a designated pairing's central unit: its purchases on the
    platform count as that pairing's "amount bought". Kept here, not on the pairing,
    because the pairing lives below the store and this rule is the evaluation's."""

    pairing = models.OneToOneField(
        Pairing,
        verbose_name=_("结对关系"),
        related_name="designated_buyer",
        on_delete=models.CASCADE,
        primary_key=True,
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("帮扶单位采购账户"),
        related_name="designated_buyers",
        on_delete=models.PROTECT,
    )

    class Meta:
        verbose_name = _("帮扶单位采购账户")
        verbose_name_plural = _("帮扶单位采购账户")

    def __str__(self) -> str:
        return f"{self.organisation} → {self.pairing}"

    def clean(self):
        if self.pairing_id and self.pairing.kind != Pairing.Kind.DESIGNATED:
            raise ValidationError({"pairing": _("只有定点帮扶的结对关系有帮扶单位采购账户。")})


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
    target_people = models.PositiveIntegerField(_("带动贫困人口目标（人）"), default=0)
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
