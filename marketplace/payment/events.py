"""The store's payment announcements. Each is sent exactly once per settlement or refund,
after the transaction that recorded it commits. Receivers (income tracing, evaluation)
only enqueue their own Celery tasks: `task.delay_on_commit(...)`.

    payment_settled.send(sender=PaymentAttempt, order=order, attempt=attempt)
    payment_refunded.send(sender=StripeRefund, order=order, refund=refund, lines=[(line, qty)])

`lines` of a refund made outside the store (from Stripe's dashboard) is empty: only its
amount is known.
"""

from django.dispatch import Signal

payment_settled = Signal()
payment_refunded = Signal()
