"""Oscar's low-stock alerts on a stock record's save (oscar.apps.partner.receivers), without
asking for the open alert when the allocation's UPDATE said there is none
(StockRecord.allocate, AlertsKnown): an alert is then opened when the stock falls below
its threshold, as Oscar opens it. Any other save is Oscar's, unchanged."""

from oscar.apps.partner import receivers as oscar_receivers
from oscar.core.loading import get_model

StockAlert = get_model("partner", "StockAlert")


def stock_alerts_update(sender, instance, created, **kwargs):
    known = getattr(instance, "alerts_known", None)
    if known is None or known.open_stock_alerts or created or kwargs.get("raw", False):
        oscar_receivers.update_stock_alerts(sender, instance, created, **kwargs)
    elif instance.is_below_threshold:
        StockAlert.objects.create(stockrecord=instance, threshold=instance.low_stock_threshold)
