from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PaymentAttempt(models.Model):
    """One try at paying for a basket through a Stripe PaymentIntent. It keeps what the
    order needs (address, shipping method, amount), so that the customer's return and the
    payment_intent.succeeded webhook can each place the order, whichever comes first."""

    class State(models.TextChoices):
        PENDING = "pending", _("待支付")
        SUCCEEDED = "succeeded", _("已支付")
        FAILED = "failed", _("支付失败")
        EXPIRED = "expired", _("已超时")
        # The customer left the pay page before paying: the items went back to the basket.
        ABANDONED = "abandoned", _("已放弃")

    basket = models.ForeignKey(
        "basket.Basket", on_delete=models.PROTECT, related_name="payment_attempts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="payment_attempts",
        null=True,
        blank=True,
    )
    order_number = models.CharField(_("订单号"), max_length=128)
    payment_intent_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    client_secret = models.CharField(max_length=255, blank=True)
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="CNY")
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    shipping_address = models.JSONField(default=dict, blank=True)
    shipping_method_code = models.CharField(max_length=128, blank=True)
    # The channel the customer came through (a campaign zone); the webhook that may place
    # the order has no session, so the order takes it from here.
    sales_channel = models.ForeignKey(
        "order.SalesChannel",
        verbose_name=_("销售渠道"),
        on_delete=models.PROTECT,
        related_name="payment_attempts",
        null=True,
        blank=True,
    )
    # The customer's language at checkout: their emails are written in it.
    language = models.CharField(max_length=10, blank=True)
    order = models.OneToOneField(
        "order.Order",
        on_delete=models.PROTECT,
        related_name="payment_attempt",
        null=True,
        blank=True,
    )
    expires_at = models.DateTimeField(_("库存保留至"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("支付尝试")
        verbose_name_plural = _("支付尝试")
        ordering = ("-created_at", "-pk")
        indexes = [models.Index(fields=["state", "expires_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="payment_attempt_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_number} {self.payment_intent_id or '-'} {self.state}"


class StockReservation(models.Model):
    """Units of a stock record held for a payment attempt. Held units are already counted
    in the stock record's num_allocated, so every availability check sees them."""

    class State(models.TextChoices):
        HELD = "held", _("保留中")
        CONVERTED = "converted", _("已转为订单占用")
        RELEASED = "released", _("已释放")

    attempt = models.ForeignKey(
        PaymentAttempt, on_delete=models.CASCADE, related_name="reservations"
    )
    stockrecord = models.ForeignKey(
        "partner.StockRecord", on_delete=models.PROTECT, related_name="reservations"
    )
    quantity = models.PositiveIntegerField(_("数量"))
    state = models.CharField(max_length=10, choices=State.choices, default=State.HELD)
    expires_at = models.DateTimeField(_("保留至"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("库存保留")
        verbose_name_plural = _("库存保留")
        ordering = ("stockrecord_id", "pk")

    def __str__(self) -> str:
        return f"{self.stockrecord_id}×{self.quantity} {self.state}"


class StripeRefund(models.Model):
    """A refund through Stripe, made here (with the order lines it refunds) or reported by a
    webhook. One made here is stored pending with its idempotency key before Stripe is
    called, outside any row lock, then marked with Stripe's answer: succeeded (applied to
    the order as a refund PaymentEvent, once the order exists), still pending at Stripe
    (applied when a webhook or the sweep sees it succeed) or failed (nothing applied, the
    units may be refunded again)."""

    class State(models.TextChoices):
        PENDING = "pending", _("处理中")
        SUCCEEDED = "succeeded", _("已退款")
        FAILED = "failed", _("退款失败")

    # Empty until Stripe has answered (a refund made here is stored before it is called).
    stripe_refund_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    attempt = models.ForeignKey(PaymentAttempt, on_delete=models.PROTECT, related_name="refunds")
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    amount = models.DecimalField(_("金额"), max_digits=12, decimal_places=2)
    # {order line id (str): quantity}; empty for a refund made outside the store.
    lines = models.JSONField(default=dict, blank=True)
    # {order line id (str): "money"} as priced when it was asked for (line_units_value):
    # the refund's payment event carries exactly what Stripe was asked to return.
    line_amounts = models.JSONField(default=dict, blank=True)
    idempotency_key = models.CharField(max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    payment_event = models.OneToOneField(
        "order.PaymentEvent", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("退款")
        verbose_name_plural = _("退款")
        ordering = ("created_at", "pk")
        indexes = [
            models.Index(
                fields=["updated_at"],
                name="payment_refund_pending",
                condition=models.Q(state="pending"),
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="stripe_refund_amount_positive"
            ),
            # Only a refund Stripe reports succeeded is ever applied to its order.
            models.CheckConstraint(
                condition=models.Q(payment_event__isnull=True) | models.Q(state="succeeded"),
                name="stripe_refund_applied_only_if_succeeded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.stripe_refund_id or self.idempotency_key} {self.amount} {self.state}"

    @property
    def is_applied(self) -> bool:
        return self.payment_event_id is not None


class ProcessedWebhookEvent(models.Model):
    """A verified Stripe webhook event, stored once by its id: a replay of a processed event
    changes nothing. Processing is at least once: until `processed_at` is set, a failed try
    is counted with its error and the event is tried again (task retries, a redelivery, the
    periodic sweep, or staff from the dashboard)."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(_("处理次数"), default=0)
    last_error = models.TextField(_("最近一次错误"), blank=True)
    last_attempted_at = models.DateTimeField(_("最近一次处理时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("Stripe 通知")
        verbose_name_plural = _("Stripe 通知")
        ordering = ("-received_at", "-pk")
        indexes = [
            models.Index(
                fields=["received_at"],
                name="payment_webhook_unprocessed",
                condition=models.Q(processed_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.type}"


from oscar.apps.payment.models import *  # noqa: E402,F403  Oscar's payment models
