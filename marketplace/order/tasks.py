from celery import shared_task
from oscar.core.loading import get_model

from .emails import order_confirmation_send, shipment_email_send

Order = get_model("order", "Order")
Shipment = get_model("order", "Shipment")


@shared_task
def order_confirmation_email_task(order_id: int) -> bool:
    return order_confirmation_send(order=Order.objects.get(pk=order_id))


@shared_task
def shipment_email_send_task(shipment_id: int) -> bool:
    shipment = Shipment.objects.select_related("order", "cooperative").get(pk=shipment_id)
    return shipment_email_send(shipment=shipment)
