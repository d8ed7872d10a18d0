"""The income ledger: what each settled or refunded order line brought each household.

The ledger is append-only: a refund appends reversing entries, nothing is updated or
deleted (the models refuse it), so any balance can be recomputed and audited."""

import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from producers.models import BenefitKind, Cooperative, Household, Region
from producers.storage import private_storage


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove a ledger row."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows are never updated.")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} rows are never deleted.")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are never updated.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are never deleted.")


class EntryKind(models.TextChoices):
    PRODUCE_SUPPLY = BenefitKind.PRODUCE_SUPPLY.value, BenefitKind.PRODUCE_SUPPLY.label
    WAGE_LABOUR = BenefitKind.WAGE_LABOUR.value, BenefitKind.WAGE_LABOUR.label
    DIVIDEND = BenefitKind.DIVIDEND.value, BenefitKind.DIVIDEND.label
    COOPERATIVE_RETAINED = "cooperative_retained", _("合作社留存")


class ProcessedEvent(AppendOnlyModel):
    """A payment event the ledger has taken into account: the idempotency key. Its fee
    rate is the one in force when it was processed, so a rebuild uses the same."""

    class Kind(models.TextChoices):
        SETTLEMENT = "settlement", _("结算")
        REFUND = "refund", _("退款")

    payment_event = models.OneToOneField(
        "order.PaymentEvent",
        on_delete=models.PROTECT,
        related_name="income_processing",
        verbose_name=_("支付事件"),
    )
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    fee_rate = models.DecimalField(_("平台服务费率"), max_digits=5, decimal_places=4)
    processed_at = models.DateTimeField(_("处理时间"))

    class Meta:
        verbose_name = _("已入账支付事件")
        verbose_name_plural = _("已入账支付事件")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.payment_event_id}"


class LineMovement(AppendOnlyModel):
    """How much of one order line one payment event settled or refunded (gross, platform
    fee, net), the base the ledger entries of that event and line split."""

    # Indexed by the unique constraint (payment_event, line) it leads.
    # No database constraints, as on LedgerEntry: income_check holds the references.
    payment_event = models.ForeignKey(
        "order.PaymentEvent",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    line = models.ForeignKey(
        "order.Line", on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    kind = models.CharField(max_length=12, choices=ProcessedEvent.Kind.choices)
    quantity = models.PositiveIntegerField(null=True, blank=True)  # None: an amount-only refund
    gross = models.DecimalField(max_digits=12, decimal_places=2)
    fee = models.DecimalField(max_digits=12, decimal_places=2)
    net = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["payment_event", "line"], name="one_movement_per_line")
        ]

    def __str__(self) -> str:
        return f"{self.kind} · {self.line_id} · {self.net}"


class OutsideSale(AppendOnlyModel):
    """Money for one of a cooperative's products that reached it outside the store (a sale
    the eastern side organised off the platform, decision 0007), put on the ledger once the
    cooperative recorded the supply lot behind it. The ledger does not know what recorded
    it: `reference` is the recording app's own key, opaque here. Its entries split `amount`
    by the benefit scheme exactly as a store line's net amount, with no platform fee (the
    platform did not sell it), produce supply by its own lot (`SupplyLot.outside_sale`)."""

    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.PROTECT, related_name="+", verbose_name=_("合作社")
    )
    product = models.ForeignKey(
        "catalogue.Product", on_delete=models.PROTECT, related_name="+", verbose_name=_("商品")
    )
    quantity = models.PositiveIntegerField(_("数量"))
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    sold_on = models.DateField(_("销售日期"))  # the scheme and links in force that day
    reference = models.CharField(_("来源记录"), max_length=64)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("线下销售收益来源")
        verbose_name_plural = _("线下销售收益来源")
        ordering = ("id",)
        constraints = [
            # Recording the lots of a sale twice books it once.
            models.UniqueConstraint(
                fields=["reference", "product"], name="one_outside_sale_per_product"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="outside_sale_amount_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} · {self.product_id} · {self.amount}"


class OutsideSaleReversal(AppendOnlyModel):
    """An outside sale taken back (the record behind it was corrected): its entries are
    reversed by negative ones on `reversed_on`, once."""

    outside_sale = models.OneToOneField(
        OutsideSale, on_delete=models.PROTECT, related_name="reversal"
    )
    reversed_on = models.DateField(_("冲销日期"))
    created_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("线下销售收益冲销")
        verbose_name_plural = _("线下销售收益冲销")

    def __str__(self) -> str:
        return f"{self.outside_sale_id} · {self.reversed_on}"


class LedgerEntry(AppendOnlyModel):
    """Household (or, for the remainder, the cooperative) × source × kind × amount. The
    source is an order line and its payment event, or a sale outside the store
    (`outside_sale`, whose reversal writes negative entries on it): exactly one (a CHECK).

    A dozen rows are written per settled line, so every index costs: the foreign keys have
    none of their own. Household, cooperative and line are served by the composite indexes
    below (their leading column); nothing reads entries by scheme or payment event alone
    (only deleting one, which the ledger's PROTECT refuses anyway, would scan).

    No foreign key is a database constraint either (`db_constraint=False`): checking them
    one row at a time was most of the allocation's server time. Django still refuses to
    delete what an entry names (PROTECT); `manage.py income_check` proves every reference
    nightly and in the restore check."""

    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("农户"),
        db_index=False,
        db_constraint=False,
    )
    cooperative = models.ForeignKey(
        Cooperative,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
        verbose_name=_("合作社"),
        db_index=False,
        db_constraint=False,
    )
    line = models.ForeignKey(
        "order.Line",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_entries",
        verbose_name=_("订单行"),
        db_index=False,
        db_constraint=False,
    )
    outside_sale = models.ForeignKey(
        OutsideSale,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
        verbose_name=_("线下销售"),
        db_index=False,
        db_constraint=False,
    )
    kind = models.CharField(_("收益类型"), max_length=24, choices=EntryKind.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    scheme = models.ForeignKey(
        "producers.BenefitScheme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("方案版本"),
        db_index=False,
        db_constraint=False,
    )
    payment_event = models.ForeignKey(
        "order.PaymentEvent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("支付事件"),
        db_index=False,
        db_constraint=False,
    )
    # The local date of the payment event; of an outside sale, its day (a reversal's own).
    booked_on = models.DateField(_("入账日期"))
    created_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("收益台账")
        verbose_name_plural = _("收益台账")
        ordering = ("id",)
        indexes = [
            models.Index(fields=["line", "household"]),
            models.Index(fields=["household", "booked_on"]),
            models.Index(fields=["cooperative", "booked_on"]),
            # Partial: store entries (nearly all rows) are not in it and cost it nothing.
            models.Index(
                fields=["outside_sale", "household"],
                condition=models.Q(outside_sale__isnull=False),
                name="ledger_outside_sale",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    line__isnull=False, payment_event__isnull=False, outside_sale__isnull=True
                )
                | models.Q(
                    line__isnull=True, payment_event__isnull=True, outside_sale__isnull=False
                ),
                name="ledger_entry_has_exactly_one_source",
            ),
            models.CheckConstraint(
                condition=models.Q(household__isnull=True, kind="cooperative_retained")
                | models.Q(household__isnull=False) & ~models.Q(kind="cooperative_retained"),
                name="retained_entries_have_no_household",
            ),
        ]

    def __str__(self) -> str:
        source = self.line_id or f"outside {self.outside_sale_id}"
        return f"{source} · {self.household_id or '-'} · {self.kind} · {self.amount}"


def new_trace_code() -> str:
    # 20 hex characters (80 bits): unguessable, short enough to print under a QR code.
    return secrets.token_hex(10).upper()


class LineTrace(models.Model):
    """The public trace code of one order line, printed on the packing slip."""

    line = models.OneToOneField("order.Line", on_delete=models.PROTECT, related_name="trace")
    code = models.CharField(_("追溯码"), max_length=32, unique=True, default=new_trace_code)

    class Meta:
        verbose_name = _("追溯码")
        verbose_name_plural = _("追溯码")

    def __str__(self) -> str:
        return self.code


class SupplyLot(models.Model):
    """Produce a cooperative bought from its households on one day for one product: the
    produce-supply share of the sales filled from it is split by these quantities."""

    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.PROTECT, related_name="supply_lots", verbose_name=_("合作社")
    )
    product = models.ForeignKey(
        "catalogue.Product",
        on_delete=models.PROTECT,
        related_name="supply_lots",
        verbose_name=_("商品"),
    )
    supplied_on = models.DateField(_("收购日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)
    # The lot behind a sale outside the store: it splits that sale only, never store sales.
    outside_sale = models.OneToOneField(
        OutsideSale,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lot",
        verbose_name=_("线下销售"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("收购批次")
        verbose_name_plural = _("收购批次")
        ordering = ("cooperative", "product", "-supplied_on", "-id")

    def __str__(self) -> str:
        return f"{self.product} · {self.supplied_on:%Y-%m-%d}"


class SupplyLotItem(models.Model):
    lot = models.ForeignKey(SupplyLot, on_delete=models.CASCADE, related_name="items")
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="+", verbose_name=_("农户")
    )
    quantity = models.DecimalField(
        _("收购数量"),
        max_digits=12,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001"))],
    )

    class Meta:
        verbose_name = _("收购明细")
        verbose_name_plural = _("收购明细")
        constraints = [
            models.UniqueConstraint(fields=["lot", "household"], name="one_item_per_household"),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="lot_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.lot_id} · {self.household_id} · {self.quantity}"


def _receipt_path(instance: "Payout", filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"payouts/{instance.cooperative_id}/{uuid.uuid4().hex}.{extension}"


class Payout(models.Model):
    """Money a cooperative paid a household against its attributed income."""

    class Method(models.TextChoices):
        BANK = "bank", _("银行转账")
        CASH = "cash", _("现金")
        MOBILE = "mobile", _("移动支付")
        OFFSET = "offset", _("抵扣")

    cooperative = models.ForeignKey(
        Cooperative, on_delete=models.PROTECT, related_name="payouts", verbose_name=_("合作社")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="payouts", verbose_name=_("农户")
    )
    amount = models.DecimalField(
        _("金额（元）"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    paid_on = models.DateField(_("支付日期"))
    method = models.CharField(_("支付方式"), max_length=12, choices=Method.choices)
    reference = models.CharField(_("凭证号"), max_length=64, blank=True)
    # A receipt names a household: private storage, served only by the permission-checked view.
    receipt = models.FileField(
        _("收据"), upload_to=_receipt_path, storage=private_storage, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("兑付记录")
        verbose_name_plural = _("兑付记录")
        ordering = ("-paid_on", "-id")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payout_amount_positive")
        ]

    def __str__(self) -> str:
        return f"{self.household} · {self.amount} · {self.paid_on:%Y-%m-%d}"


class IncomeThreshold(models.Model):
    """The monitoring line against return to poverty in force, per year and province (e.g.
    1.5× the poverty line): households whose income per head falls below it are flagged.
    Platform staff set it on the monitoring-lines screen; every value it ever had is kept
    in IncomeThresholdRevision (and the audit log), never lost."""

    province = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="income_thresholds",
        limit_choices_to={"level": Region.Level.PROVINCE},
        verbose_name=_("省份"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    amount_per_head = models.DecimalField(
        _("人均年收入监测线（元）"), max_digits=10, decimal_places=2
    )
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("设定人"),
    )
    set_at = models.DateTimeField(_("设定时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("防返贫监测线")
        verbose_name_plural = _("防返贫监测线")
        ordering = ("-year", "province__code", "province_id")
        constraints = [
            models.UniqueConstraint(fields=["province", "year"], name="one_threshold_per_year"),
            models.CheckConstraint(
                condition=models.Q(amount_per_head__gt=0), name="threshold_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.province} · {self.year} · {self.amount_per_head}"


class IncomeThresholdRevision(AppendOnlyModel):
    """One setting of a monitoring line: the value before and after, who, when and why."""

    threshold = models.ForeignKey(
        IncomeThreshold,
        on_delete=models.PROTECT,
        related_name="revisions",
        verbose_name=_("监测线"),
    )
    previous_amount = models.DecimalField(
        _("原监测线（元）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    amount_per_head = models.DecimalField(_("新监测线（元）"), max_digits=10, decimal_places=2)
    reason = models.CharField(_("调整依据"), max_length=200)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("设定人"),
    )
    changed_at = models.DateTimeField(_("设定时间"))
    flagged = models.PositiveIntegerField(_("新增预警"), default=0)
    withdrawn = models.PositiveIntegerField(_("撤销预警"), default=0)

    class Meta:
        verbose_name = _("监测线调整记录")
        verbose_name_plural = _("监测线调整记录")
        ordering = ("-changed_at", "-id")

    def __str__(self) -> str:
        return f"{self.threshold} · {self.previous_amount} → {self.amount_per_head}"


class OtherIncome(models.Model):
    """Income of a household from outside the platform in a year (wages elsewhere, farming,
    transfers…), recorded by the county office that owns the household, so the monitoring
    does not see platform income alone. A wrong record is voided, never deleted."""

    class Source(models.TextChoices):
        WAGES = "wages", _("务工收入")
        FARMING = "farming", _("生产经营收入")
        TRANSFER = "transfer", _("转移性收入")
        PROPERTY = "property", _("财产性收入")
        OTHER = "other", _("其他收入")

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="other_incomes", verbose_name=_("农户")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    source = models.CharField(_("收入来源"), max_length=12, choices=Source.choices)
    amount = models.DecimalField(
        _("全户金额（元）"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"))
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    voided_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    void_reason = models.CharField(_("作废原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("其他收入")
        verbose_name_plural = _("其他收入")
        ordering = ("-year", "-recorded_at", "-id")
        indexes = [models.Index(fields=["household", "year"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="other_income_amount_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.household_id} · {self.year} · {self.get_source_display()} · {self.amount}"


class FollowUpAction(models.TextChoices):
    """What was done about a warning or a slack flag."""

    VISIT = "visit", _("入户走访")
    INTERVIEW = "interview", _("约谈")
    ASSISTANCE = "assistance", _("落实帮扶措施")
    OTHER = "other", _("其他")


class EarlyWarning(models.Model):
    """A household the nightly check found below the threshold or with a sharp drop. While
    it is open or in progress the check does not flag the household again for the same
    reason; its follow-ups (WarningFollowUp) are its trail."""

    class Reason(models.TextChoices):
        BELOW_THRESHOLD = "below_threshold", _("低于监测线")
        SHARP_DROP = "sharp_drop", _("收入大幅下降")

    class State(models.TextChoices):
        OPEN = "open", _("待跟进")
        IN_PROGRESS = "in_progress", _("跟进中")
        CLOSED = "closed", _("已办结")
        WITHDRAWN = "withdrawn", _("已撤销（监测线调整）")

    UNRESOLVED = (State.OPEN, State.IN_PROGRESS)

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="early_warnings", verbose_name=_("农户")
    )
    county = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("县")
    )
    computed_on = models.DateField(_("监测日期"))
    reason = models.CharField(_("预警原因"), max_length=20, choices=Reason.choices)
    income_per_head = models.DecimalField(_("近12个月人均收入"), max_digits=12, decimal_places=2)
    threshold = models.DecimalField(
        _("监测线"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    previous_income_per_head = models.DecimalField(
        _("上期人均收入"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.OPEN)
    # The first review is due INCOME_WARNING_FIRST_REVIEW_DAYS after the check; then each
    # follow-up sets the next one. Past it, the warning is listed as overdue.
    next_review_on = models.DateField(_("下次复核日期"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        IncomeThresholdRevision,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="withdrawn_warnings",
        verbose_name=_("撤销依据"),
    )

    class Meta:
        verbose_name = _("返贫预警")
        verbose_name_plural = _("返贫预警")
        ordering = ("state", "-computed_on", "household")
        indexes = [
            models.Index(
                fields=["household", "reason"],
                condition=models.Q(state__in=["open", "in_progress"]),
                name="warning_unresolved",
            ),
            models.Index(fields=["county", "state", "next_review_on"]),
        ]
        constraints = [
            # A warning withdrawn after a line change does not stop the same day's check
            # from flagging the household again if the line moves back.
            models.UniqueConstraint(
                fields=["household", "computed_on", "reason"],
                condition=~models.Q(state="withdrawn"),
                name="one_warning_per_check",
            )
        ]

    def __str__(self) -> str:
        return f"{self.household} · {self.computed_on:%Y-%m-%d} · {self.get_reason_display()}"

    @property
    def is_unresolved(self) -> bool:
        return self.state in self.UNRESOLVED

    @property
    def last_follow_up(self) -> "WarningFollowUp | None":
        """The latest follow-up, from the prefetched ones (county_warnings)."""
        follow_ups = list(self.follow_ups.all())
        return follow_ups[-1] if follow_ups else None


class WarningFollowUp(AppendOnlyModel):
    """What a county officer did about an early warning: who, when, what, the next review
    (or that the risk is resolved). Append-only: the trail."""

    warning = models.ForeignKey(
        EarlyWarning, on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("预警")
    )
    action = models.CharField(_("跟进方式"), max_length=12, choices=FollowUpAction.choices)
    note = models.TextField(_("跟进情况"))
    measure = models.CharField(_("帮扶措施"), max_length=200, blank=True)
    next_review_on = models.DateField(_("下次复核日期"), null=True, blank=True)
    closes = models.BooleanField(_("风险已消除，办结"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("跟进人"),
    )
    recorded_at = models.DateTimeField(_("跟进时间"))

    class Meta:
        verbose_name = _("预警跟进记录")
        verbose_name_plural = _("预警跟进记录")
        ordering = ("warning", "recorded_at", "id")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes=True) | models.Q(next_review_on__isnull=False),
                name="followup_closes_or_has_next_review",
            )
        ]

    def __str__(self) -> str:
        return f"{self.warning_id} · {self.get_action_display()} · {self.recorded_at:%Y-%m-%d}"
