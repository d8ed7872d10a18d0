from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from producers.models import Region

from .pairings import Pairing


class EvaluationYear(models.Model):
    """One evaluation year: its grade thresholds and whether an evaluator has locked it.
    A year without a row is open and uses the default thresholds."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    grade_good = models.DecimalField(_("“好”最低分"), max_digits=5, decimal_places=2, default=90)
    grade_fairly_good = models.DecimalField(
        _("“较好”最低分"), max_digits=5, decimal_places=2, default=75
    )
    grade_average = models.DecimalField(
        _("“一般”最低分"), max_digits=5, decimal_places=2, default=60
    )
    locked_at = models.DateTimeField(_("锁定时间"), null=True, blank=True)
    # The public summary as it stood when the year was locked: a locked year's public page
    # and API read this, never the ledger, which later refunds still move.
    public_summary = models.JSONField(_("锁定时的公开汇总"), null=True, blank=True, editable=False)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("锁定人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("考核年度")
        verbose_name_plural = _("考核年度")
        ordering = ("year",)
        # Seeing scorecards is Scorecard's own view permission.
        permissions = [("lock_year", _("锁定考核年度"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(grade_good__gte=models.F("grade_fairly_good"))
                & models.Q(grade_fairly_good__gte=models.F("grade_average")),
                name="grade_thresholds_descend",
            )
        ]

    def __str__(self) -> str:
        return str(self.year)

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    def clean(self):
        if not (self.grade_good >= self.grade_fairly_good >= self.grade_average):
            raise ValidationError(_("等次分数线必须依次递减：好 ≥ 较好 ≥ 一般。"))

    def grade_for(self, total: Decimal) -> str:
        if total >= self.grade_good:
            return Grade.GOOD
        if total >= self.grade_fairly_good:
            return Grade.FAIRLY_GOOD
        if total >= self.grade_average:
            return Grade.AVERAGE
        return Grade.POOR


class Grade(models.TextChoices):
    GOOD = "good", _("好")
    FAIRLY_GOOD = "fairly_good", _("较好")
    AVERAGE = "average", _("一般")
    POOR = "poor", _("差")


class PurchaseFact(models.Model):
    """One settled order line, or one refund of it (negative), denormalised for evaluation.
    Written once per (payment event, line) from the store's PaymentEvent rows; never edited
    in a locked year. Or one confirmed off-platform sale (`offplatform_sale`; no event, line
    or order), or the reversal of one a correction replaced (negative)."""

    class Kind(models.TextChoices):
        SALE = "sale", _("结算")
        REFUND = "refund", _("退款")

    class BuyerKind(models.TextChoices):
        CONSUMER = "consumer", _("个人消费者")
        ORGANISATION = "organisation", _("采购单位")

    # A fact is written for every settled or refunded line, and rebuilt by the hundred
    # thousand: each database constraint and index is paid per row. The store's own rows
    # (event, line, order) keep their foreign keys. The descriptive references below keep
    # theirs in Django (on_delete runs in the ORM) but not in the database, and no index of
    # their own: every read of facts goes by year through the composite indexes in Meta.
    # A fact is derived data: evaluation_rebuild reproduces it from the store.
    payment_event = models.ForeignKey(
        "order.PaymentEvent",
        on_delete=models.PROTECT,
        related_name="purchase_facts",
        null=True,
        db_index=False,  # the unique (payment_event, line) index leads with it
    )
    line = models.ForeignKey(
        "order.Line", on_delete=models.PROTECT, related_name="purchase_facts", null=True
    )
    order = models.ForeignKey(
        "order.Order", on_delete=models.PROTECT, related_name="purchase_facts", null=True
    )
    # The other source of facts: a sale made off the platform, once its cooperative
    # confirmed it (exactly one source is set: the CHECK in Meta).
    offplatform_sale = models.ForeignKey(
        "evaluation.OffPlatformSale",
        verbose_name=_("线下销售"),
        on_delete=models.PROTECT,
        related_name="facts",
        null=True,
        db_index=False,  # the unique (offplatform_sale, kind) index leads with it
    )
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("发生时间"))
    sold_at = models.DateTimeField(_("销售时间"))
    year = models.PositiveSmallIntegerField(_("计入年度"))
    month = models.PositiveSmallIntegerField(_("计入月份"))
    # The year the fact belongs to by its sale date; differs from `year` when that year
    # was already locked and the fact became an adjustment of the next open year.
    natural_year = models.PositiveSmallIntegerField(_("所属年度"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    product = models.ForeignKey(
        "catalogue.Product",
        on_delete=models.SET_NULL,
        related_name="+",
        null=True,
        db_constraint=False,
        db_index=False,
    )
    cooperative = models.ForeignKey(
        "producers.Cooperative",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        db_constraint=False,
        db_index=False,
    )
    origin_county = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        verbose_name=_("产地县"),
        db_constraint=False,
        db_index=False,
    )
    origin_deep_poverty = models.BooleanField(_("深度贫困地区"), default=False)
    origin_supervision_target = models.BooleanField(_("挂牌督战"), default=False)
    origin_exit_year = models.PositiveSmallIntegerField(_("摘帽年份"), null=True)

    buyer_kind = models.CharField(_("购买方类型"), max_length=12, choices=BuyerKind.choices)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        db_constraint=False,
        db_index=False,
    )
    buyer_region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        verbose_name=_("购买地区"),
        db_constraint=False,
        db_index=False,
    )
    attribution_note = models.CharField(_("归属说明"), max_length=200, blank=True)
    channel = models.ForeignKey(
        "order.SalesChannel",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        db_constraint=False,
        db_index=False,
    )
    channel_region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        db_constraint=False,
        db_index=False,
    )
    bought_pairing = models.ForeignKey(
        Pairing,
        on_delete=models.PROTECT,
        related_name="bought_facts",
        null=True,
        db_constraint=False,
        db_index=False,
    )
    helped_pairing = models.ForeignKey(
        Pairing,
        on_delete=models.PROTECT,
        related_name="helped_facts",
        null=True,
        db_constraint=False,
        db_index=False,
    )

    quantity = models.IntegerField(_("数量"))
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2)
    counts = models.BooleanField(_("计入考核"))
    excluded_reason = models.CharField(_("不计入原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # What a rebuild compares: everything computed from the transactions.
    COMPUTED_FIELDS = (
        "order_id",
        "kind",
        "occurred_at",
        "sold_at",
        "year",
        "month",
        "natural_year",
        "note",
        "product_id",
        "cooperative_id",
        "origin_county_id",
        "origin_deep_poverty",
        "origin_supervision_target",
        "origin_exit_year",
        "buyer_kind",
        "organisation_id",
        "buyer_region_id",
        "attribution_note",
        "channel_id",
        "channel_region_id",
        "bought_pairing_id",
        "helped_pairing_id",
        "quantity",
        "amount",
        "counts",
        "excluded_reason",
    )

    class Meta:
        verbose_name = _("采购事实")
        verbose_name_plural = _("采购事实")
        ordering = ("occurred_at", "pk")
        constraints = [
            models.UniqueConstraint(
                fields=["payment_event", "line"], name="one_fact_per_event_and_line"
            ),
            models.UniqueConstraint(
                fields=["offplatform_sale", "kind"], name="one_fact_per_offplatform_sale_and_kind"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    payment_event__isnull=False,
                    line__isnull=False,
                    order__isnull=False,
                    offplatform_sale__isnull=True,
                )
                | models.Q(
                    payment_event__isnull=True,
                    line__isnull=True,
                    order__isnull=True,
                    offplatform_sale__isnull=False,
                ),
                name="fact_has_exactly_one_source",
            ),
            models.CheckConstraint(
                condition=models.Q(kind="sale", amount__gte=0)
                | models.Q(kind="refund", amount__lte=0),
                name="fact_sign_matches_kind",
            ),
        ]
        indexes = [
            # With the product: a settlement asks whether its product is new to the pairing.
            models.Index(fields=["year", "bought_pairing", "product"], name="fact_year_bought"),
            models.Index(fields=["year", "helped_pairing", "product"], name="fact_year_helped"),
            models.Index(fields=["year", "origin_county"], name="fact_year_county"),
        ]

    def __str__(self) -> str:
        if self.offplatform_sale_id is not None:
            return f"{self.get_kind_display()} offplatform/{self.offplatform_sale_id} {self.amount}"
        return f"{self.get_kind_display()} {self.order_id}/{self.line_id} {self.amount}"

    @property
    def is_offplatform(self) -> bool:
        return self.offplatform_sale_id is not None


class LockedFigure(models.Model):
    """A figure of the public site as it stood when its year was locked: the home page's
    year (scope `year`), a county's (`county`), an organisation's or a person's purchases
    (certificate and ranking row), a pairing's purchases on the public scorecard summary.
    Written once by year_lock, never changed: the public site reads a locked year from
    here, so that refunds after the lock (which still move the store's payment events and
    the income ledger) never change it.

    A table rather than the JSON of EvaluationYear.public_summary: a certificate or a
    county page reads its one row by index, however many buyers the year had. Names
    (organisations, nicknames, counties) are not stored: they are read when shown, and a
    person who withdraws consent leaves the ranking even of a locked year."""

    class Scope(models.TextChoices):
        YEAR = "year", _("全年")
        COUNTY = "county", _("县")
        ORGANISATION = "organisation", _("采购单位")
        PERSON = "person", _("个人消费者")
        PAIRING = "pairing", _("结对")

    year = models.PositiveSmallIntegerField(_("年度"))
    scope = models.CharField(_("范围"), max_length=12, choices=Scope.choices)
    county = models.ForeignKey(
        Region, on_delete=models.CASCADE, related_name="+", null=True, db_constraint=False
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        db_constraint=False,
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        db_constraint=False,
    )
    pairing = models.ForeignKey(
        Pairing, on_delete=models.CASCADE, related_name="+", null=True, db_constraint=False
    )
    amount = models.DecimalField(_("金额"), max_digits=14, decimal_places=2)
    # A pairing's part bought by organisations of its eastern region (None: none at all).
    amount_from_east = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    households = models.PositiveIntegerField(_("惠及户数"), default=0)
    # A certificate's counties (region ids): where the lines still bought came from.
    counties = models.JSONField(default=list)

    class Meta:
        verbose_name = _("锁定年度数据")
        verbose_name_plural = _("锁定年度数据")
        indexes = [models.Index(fields=["year", "scope"], name="locked_figure_year_scope")]

    def __str__(self) -> str:
        return f"{self.year} {self.scope} {self.amount}"
