"""Sales the eastern side organised off the platform (consumption-assistance counters,
pavilions, trade fairs, canteen contracts), recorded by that side and confirmed by the
receiving cooperative before they count as help-sell (帮助销售额).

Who records: the organisation admin (单位管理员) of an organisation registered to the
eastern region, rather than a new role with its own user ↔ region table. The organisation
already ties a person to an eastern region (its home region) or, for designated
assistance, to the assisting unit itself, and its admins are already vetted by the
platform; the sale then counts, by the attribution rule of decision 0005, as help-sell of
the pairing joining that region (or unit) to the cooperative's county, exactly as a sale
through a channel that organisation ran on the store would.

A record is never edited once made: a correction is a new record pointing at the one it
corrects; once the cooperative confirms the correction, the corrected record is
superseded and its purchase fact is reversed by a negative one (see
evaluation/services/offplatform.py)."""

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from producers.storage import private_storage


class OffPlatformSale(models.Model):
    class ChannelKind(models.TextChoices):
        COUNTER = "counter", _("消费帮扶专柜")
        PAVILION = "pavilion", _("消费帮扶专馆")
        FAIR = "fair", _("展销会")
        CANTEEN = "canteen", _("食堂采购合同")
        OTHER = "other", _("其他")

    class State(models.TextChoices):
        PENDING = "pending", _("待合作社确认")
        CONFIRMED = "confirmed", _("已确认")
        REJECTED = "rejected", _("已拒绝")
        SUPERSEDED = "superseded", _("已被更正")

    # States whose sale has been confirmed (a superseded record was confirmed, then
    # replaced by a confirmed correction: its fact stays, reversed).
    CONFIRMED_STATES = (State.CONFIRMED, State.SUPERSEDED)

    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("组织销售的单位"),
        on_delete=models.PROTECT,
        related_name="offplatform_sales",
    )
    cooperative = models.ForeignKey(
        "producers.Cooperative",
        verbose_name=_("合作社"),
        on_delete=models.PROTECT,
        related_name="offplatform_sales",
    )
    channel_kind = models.CharField(_("渠道类型"), max_length=12, choices=ChannelKind.choices)
    channel_name = models.CharField(_("渠道名称"), max_length=128, blank=True)
    sold_on = models.DateField(_("销售日期"))
    amount = models.DecimalField(
        _("销售金额（元）"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    note = models.CharField(_("说明"), max_length=500, blank=True)
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("更正的记录"),
        on_delete=models.PROTECT,
        related_name="corrections",
        null=True,
        blank=True,
    )
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.PENDING)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    reject_reason = models.CharField(_("拒绝原因"), max_length=500, blank=True)
    # When a confirmed correction replaced this record (its fact is reversed then).
    superseded_at = models.DateTimeField(_("被更正时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("线下销售")
        verbose_name_plural = _("线下销售")
        ordering = ("-sold_on", "-pk")
        constraints = [
            # An original sale has money; a correction may bring it to zero (withdrawn).
            models.CheckConstraint(
                condition=Q(amount__gt=0) | Q(amount=0, corrects__isnull=False),
                name="offplatform_amount_positive",
            ),
            models.CheckConstraint(
                condition=~Q(state="rejected") | ~Q(reject_reason=""),
                name="offplatform_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(state="pending") | Q(decided_at__isnull=False),
                name="offplatform_decision_has_time",
            ),
            # One live correction per record: a rejected one may be followed by another.
            models.UniqueConstraint(
                fields=["corrects"],
                condition=Q(corrects__isnull=False) & ~Q(state="rejected"),
                name="offplatform_one_live_correction",
            ),
        ]
        indexes = [models.Index(fields=["cooperative", "state"], name="offplatform_coop_state")]

    def __str__(self) -> str:
        return f"{self.get_channel_kind_display()} #{self.pk} · {self.cooperative} · {self.amount}"

    @property
    def is_confirmed(self) -> bool:
        return self.state in self.CONFIRMED_STATES


class OffPlatformSaleLine(models.Model):
    """A product and quantity of the sale (the amount is the record's, in total)."""

    sale = models.ForeignKey(OffPlatformSale, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "catalogue.Product",
        verbose_name=_("产品"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    quantity = models.PositiveIntegerField(_("数量"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("线下销售产品")
        verbose_name_plural = _("线下销售产品")
        ordering = ("sale", "pk")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="offplatform_line_quantity")
        ]

    def __str__(self) -> str:
        return f"{self.product} × {self.quantity}"


def _evidence_path(instance: "OffPlatformEvidence", filename: str) -> str:
    # Never trust the uploaded name: only the extension read from the content is kept.
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"offplatform/{instance.sale_id}/{uuid.uuid4().hex}.{extension}"


class OffPlatformEvidence(models.Model):
    """A document proving the sale (contract, invoice, delivery note, photo), in private
    storage: served only through a view that checks who asks."""

    sale = models.ForeignKey(OffPlatformSale, on_delete=models.CASCADE, related_name="evidence")
    title = models.CharField(_("说明"), max_length=128, blank=True)
    file = models.FileField(_("文件"), upload_to=_evidence_path, storage=private_storage)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("线下销售证明材料")
        verbose_name_plural = _("线下销售证明材料")
        ordering = ("sale", "pk")

    def __str__(self) -> str:
        return f"{self.sale_id} · {self.title or self.pk}"
