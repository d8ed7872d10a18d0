"""The store's panels of a cooperative's workspace home: its products with their stock,
open low-stock alerts, and the orders still waiting for its parcel."""

from django.db.models import Exists, OuterRef
from oscar.core.loading import get_model

StockRecord = get_model("partner", "StockRecord")
StockAlert = get_model("partner", "StockAlert")
Order = get_model("order", "Order")
Shipment = get_model("order", "Shipment")

LIMIT = 10


def cooperative_products_panel(*, cooperative) -> dict:
    records = StockRecord.objects.filter(partner__cooperative=cooperative).select_related("product")
    alerts = StockAlert.objects.filter(
        stockrecord__partner__cooperative=cooperative, status=StockAlert.OPEN
    ).select_related("stockrecord__product")
    return {
        "products": list(records.order_by("product__title")[:LIMIT]),
        "product_count": records.count(),
        "alerts": list(alerts.order_by("-date_created")),
    }


def cooperative_orders_panel(*, cooperative) -> dict:
    """Orders with lines of the cooperative whose parcel has not left yet, oldest first."""
    shipped = Shipment.objects.filter(order=OuterRef("pk"), cooperative=cooperative).exclude(
        state=Shipment.State.PENDING
    )
    to_ship = (
        Order.objects.filter(lines__cooperative=cooperative)
        .exclude(Exists(shipped))
        .distinct()
        .order_by("date_placed")
    )
    return {"to_ship": list(to_ship[:LIMIT]), "to_ship_count": to_ship.count()}
