"""React to the store's payment announcements by enqueueing our own tasks, ids only."""

from django.dispatch import receiver

from marketplace.payment.events import payment_refunded, payment_settled

from . import tasks


@receiver(payment_settled, dispatch_uid="evaluation.settlement")
def on_payment_settled(sender, order, payment_event, **kwargs):
    tasks.purchase_facts_settle_task.delay_on_commit(payment_event.pk)


@receiver(payment_refunded, dispatch_uid="evaluation.refund")
def on_payment_refunded(sender, order, payment_event, **kwargs):
    tasks.purchase_facts_refund_task.delay_on_commit(payment_event.pk)
