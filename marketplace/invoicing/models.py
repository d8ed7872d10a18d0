"""Pay on invoice after acceptance: an organisation's order is accepted (验收), invoiced,
and settled when the corporate transfer (对公转账) arrives."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Acceptance(models.Model):
    """The buyer's acceptance of a delivered order: received, quantity and quality OK, or a
    dispute with a reason. A dispute can later be followed by an acceptance; an acceptance
    is final (the invoice is issued from it)."""

    class State(models.TextChoices):
        ACCEPTED = "accepted", _("验收合格")
        DISPUTED = "disputed", _("有异议")

    order = models.OneToOneField(
        "order.Order", on_delete=models.PROTECT, related_name="acceptance", verbose_name=_("订单")
    )
    state = models.CharField(_("验收结果"), max_length=10, choices=State.choices)
    reason = models.TextField(_("异议原因"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("验收人"),
    )
    recorded_at = models.DateTimeField(_("验收时间"))

    class Meta:
        verbose_name = _("订单验收")
        verbose_name_plural = _("订单验收")

    def __str__(self) -> str:
        return f"{self.order.number} · {self.get_state_display()}"


class Invoice(models.Model):
    class State(models.TextChoices):
        ISSUED = "issued", _("待付款")
        PAID = "paid", _("已付款")

    number = models.CharField(_("发票号"), max_length=32, unique=True)
    order = models.OneToOneField(
        "order.Order", on_delete=models.PROTECT, related_name="invoice", verbose_name=_("订单")
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="invoices",
        verbose_name=_("采购单位"),
    )
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2)
    issued_on = models.DateField(_("开具日期"))
    due_on = models.DateField(_("付款期限"))
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.ISSUED)
    paid_on = models.DateField(_("到账日期"), null=True, blank=True)
    reminded_on = models.DateField(_("最近催款日期"), null=True, blank=True)
    payment_event = models.OneToOneField(
        "order.PaymentEvent",
        on_delete=models.PROTECT,
        related_name="invoice",
        null=True,
        blank=True,
    )
    # Set when the invoice was also sent through Stripe Invoicing; its invoice.paid settles it.
    stripe_invoice_id = models.CharField(max_length=64, unique=True, null=True, blank=True)

    class Meta:
        verbose_name = _("发票")
        verbose_name_plural = _("发票")
        ordering = ("-issued_on", "-number")
        permissions = [("record_payment", _("登记对公转账到账"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="invoice_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_paid(self) -> bool:
        return self.state == self.State.PAID


class BankStatementImport(models.Model):
    """One uploaded bank statement; the file's digest makes a second import of the same file
    a no-op. `report` keeps what each row became, to show again."""

    digest = models.CharField(max_length=64, unique=True)
    file_name = models.CharField(_("文件名"), max_length=255)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    report = models.JSONField(default=list)

    class Meta:
        verbose_name = _("银行流水导入")
        verbose_name_plural = _("银行流水导入")
        ordering = ("-imported_at",)

    def __str__(self) -> str:
        return self.file_name or self.digest[:12]


class BankTransfer(models.Model):
    """A corporate transfer received for an invoice, recorded by finance or from a bank
    statement. The bank's transaction reference is unique: the same transfer is never
    counted twice."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("财务登记")
        STATEMENT = "statement", _("银行流水导入")
        STRIPE = "stripe", _("Stripe 发票")

    invoice = models.ForeignKey(
        Invoice, on_delete=models.PROTECT, related_name="transfers", verbose_name=_("发票")
    )
    bank_reference = models.CharField(_("银行流水号"), max_length=64, unique=True)
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2)
    booked_on = models.DateField(_("到账日期"))
    payer = models.CharField(_("付款方"), max_length=128, blank=True)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices)
    statement = models.ForeignKey(
        BankStatementImport,
        on_delete=models.PROTECT,
        related_name="transfers",
        null=True,
        blank=True,
    )
    # None when Stripe's webhook recorded it.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("对公转账")
        verbose_name_plural = _("对公转账")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="bank_transfer_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.bank_reference
