"""The store's payment announcements. Each is sent exactly once per settlement or refund,
after the transaction that recorded it commits. Receivers (income tracing, evaluation)
only enqueue their own Celery tasks: `task.delay_on_commit(...)`, passing ids.

Every announcement carries the order and the Oscar `PaymentEvent` that records it; that
row is what upper layers read and key their idempotency on, whatever the payment method
(card through Stripe, or a corporate transfer against an invoice):

- a settlement: a PaymentEvent of type code "paid", its `amount` and `date_created`, with
  one PaymentEventQuantity per order line settled;
- a refund: a PaymentEvent of type code "refund", its `amount`, with PaymentEventQuantity
  rows for the lines and quantities refunded. A refund made outside the store (from
  Stripe's dashboard) has no quantities: only its amount is known.

    payment_settled.send(sender=..., order=order, payment_event=event, **extra)
    payment_refunded.send(sender=..., order=order, payment_event=event, **extra)

Card payments add `attempt` (settled) or `refund` and `lines=[(line, qty)]` (refunded).
"""

from django.dispatch import Signal

payment_settled = Signal()
payment_refunded = Signal()
