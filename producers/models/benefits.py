from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .cooperatives import Cooperative
from .households import Household

ZERO, ONE = Decimal("0"), Decimal("1")
FRACTION = [MinValueValidator(ZERO), MaxValueValidator(ONE)]


class BenefitKind(models.TextChoices):
    PRODUCE_SUPPLY = "produce_supply", _("产品收购")
    WAGE_LABOUR = "wage_labour", _("务工就业")
    DIVIDEND = "dividend", _("入股分红")


class BenefitLink(models.Model):
    """How one household benefits from one cooperative (利益联结)."""

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="benefit_links", verbose_name=_("农户")
    )
    cooperative = models.ForeignKey(
        Cooperative,
        on_delete=models.PROTECT,
        related_name="benefit_links",
        verbose_name=_("合作社"),
    )
    kind = models.CharField(_("联结方式"), max_length=16, choices=BenefitKind.choices)
    # Produce supply: the household's registered share of the cooperative's supply, used
    # when a sale has no supply-lot data.
    supply_share = models.DecimalField(
        _("供货份额"),
        max_digits=7,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO)],
    )
    # Dividend share: share capital the household holds, in yuan.
    equity_shares = models.DecimalField(
        _("入股金额（元）"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(ZERO)],
    )
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("利益联结")
        verbose_name_plural = _("利益联结")
        ordering = ("cooperative", "kind", "household")
        constraints = [
            # Ended links stay as history; a household may be linked again later.
            models.UniqueConstraint(
                fields=["household", "cooperative", "kind"],
                condition=Q(ended_on__isnull=True),
                name="one_open_link_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="link_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cooperative} · {self.household} · {self.get_kind_display()}"

    def clean(self):
        errors = {}
        if self.kind == BenefitKind.PRODUCE_SUPPLY and not self.supply_share:
            errors["supply_share"] = _("产品收购联结必须填写大于0的供货份额。")
        if self.kind == BenefitKind.DIVIDEND and not self.equity_shares:
            errors["equity_shares"] = _("入股分红联结必须填写大于0的入股金额。")
        if self.kind != BenefitKind.PRODUCE_SUPPLY and self.supply_share is not None:
            errors["supply_share"] = _("只有产品收购联结填写供货份额。")
        if self.kind != BenefitKind.DIVIDEND and self.equity_shares is not None:
            errors["equity_shares"] = _("只有入股分红联结填写入股金额。")
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            errors["ended_on"] = _("结束日期不能早于开始日期。")
        if errors:
            raise ValidationError(errors)

    def is_active_on(self, day) -> bool:
        return self.started_on <= day and (self.ended_on is None or self.ended_on >= day)


class WageRecord(models.Model):
    """Work a household member did for the cooperative in a period (for wage-labour shares)."""

    link = models.ForeignKey(
        BenefitLink, on_delete=models.PROTECT, related_name="wage_records", verbose_name=_("联结")
    )
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    days_worked = models.DecimalField(
        _("出工天数"), max_digits=6, decimal_places=1, validators=[MinValueValidator(ZERO)]
    )
    wages_paid = models.DecimalField(
        _("已付工资（元）"), max_digits=10, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )

    class Meta:
        verbose_name = _("务工记录")
        verbose_name_plural = _("务工记录")
        ordering = ("link", "period_start")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="wage_period_ordered"
            )
        ]

    def __str__(self) -> str:
        return f"{self.link.household} · {self.period_start}–{self.period_end}"

    def clean(self):
        if self.link_id and self.link.kind != BenefitKind.WAGE_LABOUR:
            raise ValidationError({"link": _("务工记录只能记在务工就业联结上。")})
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("截止日期不能早于起始日期。")})


class BenefitScheme(models.Model):
    """What fraction of each sale goes to each kind of link, from a date on (versioned)."""

    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.PROTECT, related_name="schemes", verbose_name=_("合作社")
    )
    effective_from = models.DateField(_("生效日期"))
    produce_share = models.DecimalField(
        _("产品收购比例"), max_digits=5, decimal_places=4, default=ZERO, validators=FRACTION
    )
    wage_share = models.DecimalField(
        _("务工比例"), max_digits=5, decimal_places=4, default=ZERO, validators=FRACTION
    )
    dividend_share = models.DecimalField(
        _("分红比例"), max_digits=5, decimal_places=4, default=ZERO, validators=FRACTION
    )
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("利益联结方案")
        verbose_name_plural = _("利益联结方案")
        ordering = ("cooperative", "-effective_from")
        get_latest_by = "effective_from"
        constraints = [
            models.UniqueConstraint(
                fields=["cooperative", "effective_from"], name="one_scheme_version_per_day"
            ),
            models.CheckConstraint(
                condition=Q(produce_share__gte=0, produce_share__lte=1)
                & Q(wage_share__gte=0, wage_share__lte=1)
                & Q(dividend_share__gte=0, dividend_share__lte=1),
                name="scheme_fractions_in_range",
            ),
            models.CheckConstraint(
                condition=Q(
                    produce_share__lte=1 - models.F("wage_share") - models.F("dividend_share")
                ),
                name="scheme_fractions_sum_at_most_one",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cooperative} · {self.effective_from:%Y-%m-%d}"

    @property
    def households_share(self) -> Decimal:
        return self.produce_share + self.wage_share + self.dividend_share

    def share_for(self, kind: str) -> Decimal:
        return {
            BenefitKind.PRODUCE_SUPPLY: self.produce_share,
            BenefitKind.WAGE_LABOUR: self.wage_share,
            BenefitKind.DIVIDEND: self.dividend_share,
        }[kind]

    def clean(self):
        shares = (self.produce_share, self.wage_share, self.dividend_share)
        if any(share is None for share in shares):
            return
        if any(share < ZERO or share > ONE for share in shares):
            raise ValidationError(_("每种联结方式的比例必须在0到1之间。"))
        if sum(shares) > ONE:
            raise ValidationError(
                _("各联结方式的比例之和不能超过1（当前为%(total)s）。"),
                params={"total": sum(shares)},
            )
