from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .facts import Grade
from .pairings import Pairing


class Indicator(models.Model):
    """One line of a year's scorecard: what is measured, against which target, how it is
    scored and how much it weighs."""

    class Measure(models.TextChoices):
        AMOUNT_BOUGHT = "amount_bought", _("采购额")
        AMOUNT_HELPED = "amount_helped", _("帮助销售额")
        HOUSEHOLDS = "households", _("带动建档立卡户数")
        PEOPLE = "people", _("带动贫困人口")
        CERTIFIED_PRODUCTS = "certified_products", _("销售认定扶贫产品种数")

    class Filter(models.TextChoices):
        ALL = "all", _("全部产地")
        DEEP_POVERTY = "deep_poverty", _("仅深度贫困地区")
        SUPERVISION_TARGET = "supervision_target", _("仅挂牌督战地区")
        EXITED = "exited", _("仅已摘帽县")

    class TargetSource(models.TextChoices):
        AGREEMENT_BOUGHT = "agreement_bought", _("协议书：采购额目标")
        AGREEMENT_HELPED = "agreement_helped", _("协议书：帮助销售额目标")
        AGREEMENT_HOUSEHOLDS = "agreement_households", _("协议书：带动户数目标")
        AGREEMENT_PEOPLE = "agreement_people", _("协议书：带动贫困人口目标")
        AGREEMENT_PRODUCTS = "agreement_products", _("协议书：认定产品种数目标")
        FIXED = "fixed", _("固定目标值")

    class Rule(models.TextChoices):
        PROPORTIONAL = "proportional", _("按完成比例计分（封顶满分）")
        ALL_OR_NOTHING = "all_or_nothing", _("完成得满分，否则不得分")

    MONEY_MEASURES = (Measure.AMOUNT_BOUGHT, Measure.AMOUNT_HELPED)
    # Counted from the income ledger: households (and their registered members) whose
    # income from the pairing's sales in the year reaches the indicator's income minimum.
    LEDGER_MEASURES = (Measure.HOUSEHOLDS, Measure.PEOPLE)
    DEFAULT_INCOME_MINIMUM = Decimal("100.00")

    year = models.PositiveSmallIntegerField(_("年度"))
    code = models.SlugField(_("代码"), max_length=32)
    name = models.CharField(_("名称"), max_length=64)
    measure = models.CharField(_("指标口径"), max_length=20, choices=Measure.choices)
    filter = models.CharField(_("范围"), max_length=20, choices=Filter.choices, default=Filter.ALL)
    target_source = models.CharField(_("目标来源"), max_length=24, choices=TargetSource.choices)
    target_fixed = models.DecimalField(
        _("固定目标值"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    rule = models.CharField(
        _("计分规则"), max_length=16, choices=Rule.choices, default=Rule.PROPORTIONAL
    )
    weight = models.DecimalField(
        _("权重"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0)]
    )
    # Purchases from deep-poverty and supervision-target counties count (1 + this) times.
    priority_extra_weight = models.DecimalField(
        _("深度贫困/挂牌督战加权"),
        max_digits=4,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    # The yearly income a household must get from the pairing's sales to count as driven
    # (decision 0006). Kept on the indicator, beside its filter, because it is part of
    # what the indicator counts, and because indicators are defined anew each year, so
    # each year has its own minimum. The households and people indicators of a year share
    # one minimum (clean() and save()), so that the people counted are the members of the
    # households counted. Unused by the money and product measures.
    income_minimum = models.DecimalField(
        _("带动收入门槛（元/户/年）"),
        max_digits=10,
        decimal_places=2,
        default=DEFAULT_INCOME_MINIMUM,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_(
            "农户当年从该结对销售中分得的收益达到此金额，才计入带动户数和带动贫困人口；"
            "同一年度的带动户数和带动贫困人口指标共用一个门槛。"
        ),
    )
    position = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("考核指标")
        verbose_name_plural = _("考核指标")
        ordering = ("year", "position", "pk")
        constraints = [
            models.UniqueConstraint(fields=["year", "code"], name="indicator_code_per_year"),
            models.CheckConstraint(
                condition=~models.Q(target_source="fixed") | models.Q(target_fixed__isnull=False),
                name="fixed_target_given",
            ),
            models.CheckConstraint(
                condition=models.Q(income_minimum__gt=0), name="income_minimum_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.name}"

    def clean(self):
        if self.target_source == self.TargetSource.FIXED and self.target_fixed is None:
            raise ValidationError({"target_fixed": _("固定目标必须填写目标值。")})
        if self.priority_extra_weight and self.measure not in self.MONEY_MEASURES:
            raise ValidationError({"priority_extra_weight": _("加权只适用于采购额和帮助销售额。")})
        if self.measure in self.LEDGER_MEASURES and self.year and self.income_minimum:
            # A new households or people indicator takes the year's minimum; changing an
            # existing one's changes them all (save).
            other = (
                Indicator.objects.filter(year=self.year, measure__in=self.LEDGER_MEASURES)
                .exclude(income_minimum=self.income_minimum)
                .first()
                if self.pk is None
                else None
            )
            if other is not None:
                raise ValidationError(
                    {
                        "income_minimum": _(
                            "同一年度的带动户数和带动贫困人口指标须使用相同的收入门槛："
                            "“%(name)s”为 %(minimum)s 元。修改已有指标的门槛会同时修改"
                            "该年度的其他带动指标。"
                        )
                        % {"name": other.name, "minimum": other.income_minimum}
                    }
                )

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if self.measure in self.LEDGER_MEASURES:
            # One minimum a year for households and people driven (decision 0006).
            Indicator.objects.filter(year=self.year, measure__in=self.LEDGER_MEASURES).exclude(
                income_minimum=self.income_minimum
            ).update(income_minimum=self.income_minimum)


class Scorecard(models.Model):
    """A pairing's result for one year. Written only while the year is open."""

    pairing = models.ForeignKey(
        Pairing, verbose_name=_("结对关系"), related_name="scorecards", on_delete=models.PROTECT
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    total = models.DecimalField(_("总分"), max_digits=6, decimal_places=2)
    grade = models.CharField(_("等次"), max_length=12, choices=Grade.choices)
    rank = models.PositiveSmallIntegerField(_("排名"))
    computed_at = models.DateTimeField(_("计算时间"), auto_now=True)

    class Meta:
        verbose_name = _("考核评分")
        verbose_name_plural = _("考核评分")
        ordering = ("year", "rank", "pairing_id")
        constraints = [
            models.UniqueConstraint(fields=["pairing", "year"], name="one_scorecard_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.pairing} · {self.year} · {self.total}"


class ScorecardItem(models.Model):
    scorecard = models.ForeignKey(Scorecard, related_name="items", on_delete=models.CASCADE)
    indicator = models.ForeignKey(Indicator, related_name="items", on_delete=models.PROTECT)
    # Four decimals: a fen amount times a two-decimal weight is exact, so a figure equals
    # the sum of its facts whether it was refreshed in full or added to fact by fact.
    # What was achieved: for money, the plain sum of the facts' amounts (a drill-down adds
    # up to it); for people, households and products, the count.
    value = models.DecimalField(_("完成值"), max_digits=18, decimal_places=4)
    # What the score is computed from: the value with priority-county amounts weighted
    # (1 + the indicator's extra weight); equal to value where nothing is weighted.
    weighted_value = models.DecimalField(
        _("加权完成值"), max_digits=18, decimal_places=4, default=0
    )
    target = models.DecimalField(_("目标值"), max_digits=14, decimal_places=2, null=True)
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = _("考核评分项")
        verbose_name_plural = _("考核评分项")
        ordering = ("indicator__position", "indicator_id")
        constraints = [
            models.UniqueConstraint(
                fields=["scorecard", "indicator"], name="one_item_per_indicator"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scorecard} · {self.indicator.name} {self.value}"
