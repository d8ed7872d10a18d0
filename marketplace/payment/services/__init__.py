from .checkout import (
    CheckoutError,
    CheckoutSoldOut,
    PaymentUnavailable,
    order_place_for_payment,
    payment_attempt_abandon,
    payment_start,
    reservations_release_expired,
)
from .refunds import RefundError, order_refund, refund_record_from_stripe, refunded_quantities
from .webhooks import webhook_event_process, webhook_event_receive

__all__ = [
    "CheckoutError",
    "CheckoutSoldOut",
    "PaymentUnavailable",
    "RefundError",
    "order_place_for_payment",
    "order_refund",
    "payment_attempt_abandon",
    "payment_start",
    "refund_record_from_stripe",
    "refunded_quantities",
    "reservations_release_expired",
    "webhook_event_process",
    "webhook_event_receive",
]
