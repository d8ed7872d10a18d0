import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from oscar.apps.catalogue.abstract_models import AbstractProduct


class Product(AbstractProduct):
    # Oscar's products belong to no one; here every product is made by one cooperative,
    # which gives it an origin (village, county) and the county office that certifies it.
    cooperative = models.ForeignKey(
        "producers.Cooperative",
        verbose_name=_("生产合作社"),
        related_name="products",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )

    class Meta(AbstractProduct.Meta):
        app_label = "catalogue"


class CertificateQuerySet(models.QuerySet):
    def valid_on(self, day: datetime.date):
        return self.filter(
            state=ProductCertificate.State.CERTIFIED, valid_from__lte=day, valid_to__gte=day
        )


class ProductCertificate(models.Model):
    """A county office's certification of a product as a poverty-alleviation product
    (扶贫产品认定). Only a product with a certificate valid today is sold."""

    class State(models.TextChoices):
        PENDING = "pending", _("待认定")
        CERTIFIED = "certified", _("已认定")
        SUSPENDED = "suspended", _("已暂停")
        REVOKED = "revoked", _("已撤销")
        EXPIRED = "expired", _("已过期")
        REJECTED = "rejected", _("未通过")

    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("产品")
    )
    number = models.CharField(_("认定证书编号"), max_length=32, blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    valid_from = models.DateField(_("有效期自"), null=True, blank=True)
    valid_to = models.DateField(_("有效期至"), null=True, blank=True)
    households_involved = models.PositiveIntegerField(
        _("带动建档立卡户数"), default=0, validators=[MinValueValidator(0)]
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("申请人"),
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("认定人"),
    )
    issued_at = models.DateTimeField(_("认定时间"), null=True, blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        verbose_name = _("扶贫产品认定")
        verbose_name_plural = _("扶贫产品认定")
        ordering = ("-requested_at", "-pk")
        permissions = [("certify_product", _("认定扶贫产品"))]
        constraints = [
            models.UniqueConstraint(
                fields=["number"], condition=~Q(number=""), name="certificate_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="certificate_validity_ordered",
            ),
        ]

    def __str__(self) -> str:
        label = self.number or _("（待认定）")
        return f"{label} · {self.product}"

    def clean(self):
        if self.state == self.State.CERTIFIED:
            missing = [f for f in ("number", "valid_from", "valid_to") if not getattr(self, f)]
            if missing:
                raise ValidationError({field: _("认定时必须填写此项。") for field in missing})
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("有效期截止日不能早于起始日。")})

    def is_valid_on(self, day: datetime.date) -> bool:
        return (
            self.state == self.State.CERTIFIED
            and self.valid_from is not None
            and self.valid_to is not None
            and self.valid_from <= day <= self.valid_to
        )


class CertificateEvent(models.Model):
    """Every change of a certificate's state, with who, when and why."""

    certificate = models.ForeignKey(
        ProductCertificate, on_delete=models.CASCADE, related_name="events"
    )
    from_state = models.CharField(
        _("原状态"), max_length=10, choices=ProductCertificate.State.choices, blank=True
    )
    to_state = models.CharField(
        _("新状态"), max_length=10, choices=ProductCertificate.State.choices
    )
    reason = models.TextField(_("理由"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        verbose_name=_("操作人"),
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("认定变更记录")
        verbose_name_plural = _("认定变更记录")
        ordering = ("certificate", "created_at", "pk")

    def __str__(self) -> str:
        return f"{self.certificate} {self.from_state}→{self.to_state}"


from oscar.apps.catalogue.models import *  # noqa: E402,F403  Oscar's remaining catalogue models
