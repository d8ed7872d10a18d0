from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from oscar.apps.order.abstract_models import (
    AbstractLine,
    AbstractOrder,
    AbstractOrderDiscount,
    AbstractPaymentEvent,
    PaymentEventQuantity,
)


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
        # Oscar stores any total; an order never costs less than nothing (invariant 10).
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    total_incl_tax__gte=0,
                    total_excl_tax__gte=0,
                    shipping_incl_tax__gte=0,
                    shipping_excl_tax__gte=0,
                ),
                name="order_totals_not_negative",
                violation_error_message=_("订单金额不能为负数。"),
            ),
        ]

    # Oscar filters order.discounts anew each time a page asks (three queries on the
    # thank-you page); a view that prefetched "discounts" is answered from that list.
    def _discounts_of(self, category):
        prefetched = getattr(self, "_prefetched_objects_cache", {}).get("discounts")
        if prefetched is None:
            return self.discounts.filter(category=category)
        return [discount for discount in prefetched if discount.category == category]

    @property
    def basket_discounts(self):
        return self._discounts_of(AbstractOrderDiscount.BASKET)

    @property
    def shipping_discounts(self):
        return self._discounts_of(AbstractOrderDiscount.SHIPPING)

    @property
    def post_order_actions(self):
        return self._discounts_of(AbstractOrderDiscount.DEFERRED)


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
        # A line is at least one unit at a price of zero or more: the ledger and the
        # purchase facts split what a line was paid (invariant 10).
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    line_price_incl_tax__gte=0,
                    line_price_excl_tax__gte=0,
                    line_price_before_discounts_incl_tax__gte=0,
                    line_price_before_discounts_excl_tax__gte=0,
                ),
                name="line_prices_not_negative",
                violation_error_message=_("订单行金额不能为负数。"),
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(unit_price_incl_tax__isnull=True)
                    | models.Q(unit_price_incl_tax__gte=0)
                )
                & (
                    models.Q(unit_price_excl_tax__isnull=True)
                    | models.Q(unit_price_excl_tax__gte=0)
                ),
                name="line_unit_prices_not_negative",
                violation_error_message=_("订单行单价不能为负数。"),
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0),
                name="line_quantity_positive",
                violation_error_message=_("订单行数量必须大于0。"),
            ),
        ]


class PaymentEvent(AbstractPaymentEvent):
    # Oscar stores any amount; a payment or a refund here is always money that moved, and
    # the ledger and the purchase facts split it among lines (invariant 10).
    class Meta(AbstractPaymentEvent.Meta):
        app_label = "order"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0),
                name="payment_event_amount_positive",
                violation_error_message=_("支付或退款金额必须大于0元。"),
            ),
        ]


# Oscar's PaymentEventQuantity is a concrete model of Oscar's own (registered when its
# module is imported), so it cannot be forked by subclassing: the fork adds its field and
# constraints to Oscar's class here, and the order app's migrations carry them.
PaymentEventQuantity.add_to_class(
    "amount",
    models.DecimalField(
        _("金额"),
        max_digits=12,
        decimal_places=2,
        # The money this event moves for this line, after discounts (payment/events.py).
        help_text=_("该笔支付或退款中本行的金额（折后）。"),
    ),
)
PaymentEventQuantity._meta.constraints = PaymentEventQuantity._meta.original_attrs[
    "constraints"
] = [
    # A row moves money or units or both, never less than nothing: a free line (100 %
    # discount) is settled with its units at 0; a refund made in Stripe's dashboard names
    # money and no units (quantity 0).
    models.CheckConstraint(
        condition=models.Q(quantity__gte=0, amount__gte=0)
        & (models.Q(quantity__gt=0) | models.Q(amount__gt=0)),
        name="payment_event_quantity_moves_something",
        violation_error_message=_("支付或退款的订单行必须有数量或金额。"),
    ),
]


class Shipment(models.Model):
    """One cooperative's parcel for its own lines of an order: each cooperative ships
    separately, so the customer sees a state, carrier and tracking number per cooperative.
    The lines and quantities shipped are Oscar's ShippingEvent this row points to."""

    class State(models.TextChoices):
        PENDING = "pending", _("待发货")
        SHIPPED = "shipped", _("已发货")
        DELIVERED = "delivered", _("已送达")

    order = models.ForeignKey(
        Order, verbose_name=_("订单"), related_name="shipments", on_delete=models.CASCADE
    )
    cooperative = models.ForeignKey(
        "producers.Cooperative",
        verbose_name=_("合作社"),
        related_name="shipments",
        on_delete=models.PROTECT,
    )
    state = models.CharField(
        _("发货状态"), max_length=10, choices=State.choices, default=State.PENDING
    )
    carrier = models.CharField(_("快递公司"), max_length=64)
    tracking_number = models.CharField(_("快递单号"), max_length=64)
    shipped_at = models.DateTimeField(_("发货时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    shipped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发货人"),
        related_name="+",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )
    shipping_event = models.OneToOneField(
        "order.ShippingEvent",
        on_delete=models.PROTECT,
        related_name="shipment",
        null=True,
        blank=True,
    )

    class Meta:
        app_label = "order"
        verbose_name = _("发货")
        verbose_name_plural = _("发货")
        ordering = ("order_id", "cooperative_id")
        constraints = [
            models.UniqueConstraint(
                fields=["order", "cooperative"], name="shipment_one_per_order_cooperative"
            )
        ]

    def __str__(self):
        return f"{self.order_id}/{self.cooperative_id} {self.state}"


from oscar.apps.order.models import *  # noqa: E402,F403  Oscar's remaining order models
