from .checkout import (
    CheckoutError,
    CheckoutSoldOut,
    PaymentUnavailable,
    basket_give_back,
    order_place_for_payment,
    payment_attempt_abandon,
    payment_attempt_intent_renew,
    payment_start,
    reservations_release_expired,
)
from .localstripe_cards import CardRefused, payment_attempt_confirm_with_test_card
from .offline import order_refund_offline, order_settle_offline
from .refunds import (
    RefundError,
    order_refund,
    refund_record_from_stripe,
    refunded_quantities,
    refunds_pending_sweep,
)
from .settlement import payment_refund_record, payment_settlement_record
from .webhooks import (
    webhook_event_process,
    webhook_event_receive,
    webhook_event_retry,
    webhook_events_retry_unprocessed,
)

__all__ = [
    "CheckoutError",
    "CheckoutSoldOut",
    "PaymentUnavailable",
    "RefundError",
    "CardRefused",
    "basket_give_back",
    "order_place_for_payment",
    "order_refund",
    "order_refund_offline",
    "order_settle_offline",
    "payment_attempt_abandon",
    "payment_attempt_confirm_with_test_card",
    "payment_attempt_intent_renew",
    "payment_start",
    "refund_record_from_stripe",
    "refunded_quantities",
    "refunds_pending_sweep",
    "payment_refund_record",
    "payment_settlement_record",
    "reservations_release_expired",
    "webhook_event_process",
    "webhook_event_receive",
    "webhook_event_retry",
    "webhook_events_retry_unprocessed",
]
