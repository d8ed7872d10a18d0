from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.order.abstract_models import AbstractLine, AbstractOrder


class SalesChannel(models.Model):
    """A channel a sale is made through, such as an eastern partner's campaign zone (专区).
    Sales through an eastern partner's channel count as that partner's "helped to sell"."""

    code = models.SlugField(_("渠道代码"), max_length=64, unique=True)
    name = models.CharField(_("渠道名称"), max_length=128)
    region = models.ForeignKey(
        "producers.Region",
        verbose_name=_("东部地区"),
        related_name="sales_channels",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("东部单位"),
        related_name="sales_channels",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        app_label = "order"
        verbose_name = _("销售渠道")
        verbose_name_plural = _("销售渠道")

    def __str__(self):
        return self.name


class Order(AbstractOrder):
    # Evaluation attributes a purchase to the buying organisation's region and counts
    # sales through an eastern partner's channel; Oscar's order knows neither.
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("采购单位"),
        related_name="orders",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    sales_channel = models.ForeignKey(
        SalesChannel,
        verbose_name=_("销售渠道"),
        related_name="orders",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )

    class Meta(AbstractOrder.Meta):
        app_label = "order"


class Line(AbstractLine):
    # Oscar keeps only the partner (set to NULL if the partner goes); a basket here mixes
    # several cooperatives and every order line must keep its own for income tracing.
    cooperative = models.ForeignKey(
        "producers.Cooperative",
        verbose_name=_("合作社"),
        related_name="order_lines",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )

    class Meta(AbstractLine.Meta):
        app_label = "order"


from oscar.apps.order.models import *  # noqa: E402,F403  Oscar's remaining order models
