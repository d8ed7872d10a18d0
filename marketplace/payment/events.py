"""The store's payment announcements and the kinds of payment event they carry. Each is
sent exactly once per settlement or refund, after the transaction that recorded it
commits. Receivers (income tracing, evaluation) only enqueue their own Celery tasks:
`task.delay_on_commit(...)`, passing ids.

Every announcement carries the order and the Oscar `PaymentEvent` that records it; that
row is what upper layers read and key their idempotency on, whatever the payment method
(card through Stripe, a corporate transfer, a Stripe invoice):

- a settlement: a PaymentEvent of type code PAID, its `amount` (what the customer paid,
  shipping included) and `date_created`, with one PaymentEventQuantity per order line
  settled: `quantity` = the line's units, `amount` = the line's price after discounts
  (`line_price_incl_tax`);
- a refund: a PaymentEvent of type code REFUND, its `amount`, with one
  PaymentEventQuantity per line refunded: `quantity` = the units refunded and `amount` =
  what the buyer paid for exactly those units (`marketplace.order.selectors.
  line_units_value`: refunding every unit of a line, in any split, returns its price).
  A refund made in Stripe's dashboard names no lines: its amount is split over the lines
  by what is left to refund on each (the last line takes the remainder) and written with
  `quantity` 0, so those units stay refundable for what is left of their value.

Receivers read a line's money from `PaymentEventQuantity.amount` and never recompute it.
The amounts of a refund's rows add up to the event's amount; those of a settlement add up
to the event's amount less shipping.

    payment_settled.send(sender=..., order=order, payment_event=event, **extra)
    payment_refunded.send(sender=..., order=order, payment_event=event, **extra)

Card payments add `attempt` (settled) or `refund`; refunds add `lines=[(line, qty)]`.
"""

from django.dispatch import Signal

# PaymentEventType codes: the only place they are spelled (tests/marketplace/payment/
# test_event_kinds.py checks that no other module writes them out).
PAID = "paid"
REFUND = "refund"

payment_settled = Signal()
payment_refunded = Signal()
