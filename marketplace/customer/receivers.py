"""Oscar's eager back-in-stock alerts on a stock record's save
(oscar.apps.customer.alerts.receivers), skipped when the allocation's UPDATE said no one
waits for the product (StockRecord.allocate, AlertsKnown): Oscar's dispatcher would find
no active alert and send nothing. Any other save is Oscar's, unchanged."""

from oscar.apps.customer.alerts import receivers as oscar_receivers


def product_alerts_send(sender, instance, created, **kwargs):
    known = getattr(instance, "alerts_known", None)
    if known is not None and not known.product_alerts:
        return
    oscar_receivers.send_product_alerts(sender, instance, created, **kwargs)
