import oscar.apps.partner.apps as apps
from django.db.models.signals import post_save


class PartnerConfig(apps.PartnerConfig):
    name = "marketplace.partner"

    def ready(self):
        super().ready()
        from oscar.apps.partner import receivers as oscar_receivers

        from . import receivers

        # Oscar's low-stock alerts, asking less after an allocation (receivers.py).
        StockRecord = self.get_model("StockRecord")
        post_save.disconnect(oscar_receivers.update_stock_alerts, sender=StockRecord)
        post_save.connect(receivers.stock_alerts_update, sender=StockRecord)
