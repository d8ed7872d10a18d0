from dataclasses import dataclass

from django.db import connection, models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from oscar.apps.partner.abstract_models import AbstractPartner, AbstractStockRecord
from oscar.core.loading import get_model


@dataclass(frozen=True)
class AlertsKnown:
    """What an allocation's UPDATE found of a stock record's alerts, for the receivers of
    its post_save (partner.receivers, customer.receivers) while it is sent: how many
    low-stock alerts are open, and whether anyone waits to hear the product is back."""

    open_stock_alerts: int
    product_alerts: bool


class SoldOut(Exception):
    """Fewer units are left than a checkout asks for."""

    def __init__(self, stockrecord, quantity: int):
        self.stockrecord = stockrecord
        self.quantity = quantity
        super().__init__(f"stock record {stockrecord.pk}: {quantity} unit(s) not available")


class Partner(AbstractPartner):
    # Oscar's partner is any fulfilment partner; here every partner is one cooperative,
    # so stock, order lines and the partner dashboard follow the producer.
    cooperative = models.OneToOneField(
        "producers.Cooperative",
        verbose_name=_("合作社"),
        related_name="partner",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )

    class Meta(AbstractPartner.Meta):
        app_label = "partner"


class StockRecord(AbstractStockRecord):
    def allocate(self, quantity):
        # Oscar adds to num_allocated without looking at the stock, so two concurrent
        # checkouts can both take the last unit; here the UPDATE itself checks that enough
        # units are left and raises SoldOut when they are not (invariant 5).
        if not self.can_track_allocations:
            return
        self.pre_save_signal()
        # RETURNING gives the count now stored (the stock alerts read it) in the same
        # statement, Django's update() would need a second query; and whether there are
        # alerts for Oscar's alert receivers to look at (AlertsKnown), which otherwise ask
        # on every allocation although there rarely are.
        stock_alert = get_model("partner", "StockAlert")
        product_alert = get_model("customer", "ProductAlert")
        product = get_model("catalogue", "Product")
        quote = connection.ops.quote_name
        # Columns named with their table, not an alias: SQLite's RETURNING knows no alias.
        s = quote(self._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {s}"  # noqa: S608  table names from the models, values bound
                f" SET num_allocated = COALESCE({s}.num_allocated, 0) + %s"
                f" WHERE {s}.id = %s"
                f" AND ({s}.num_in_stock IS NULL"
                f" OR {s}.num_in_stock >= COALESCE({s}.num_allocated, 0) + %s)"
                f" RETURNING {s}.num_allocated,"
                f" (SELECT COUNT(*) FROM {quote(stock_alert._meta.db_table)} a"
                f"   WHERE a.stockrecord_id = {s}.id AND a.status = %s),"
                f" EXISTS (SELECT 1 FROM {quote(product_alert._meta.db_table)} p"
                f"   WHERE p.status = %s AND (p.product_id = {s}.product_id OR p.product_id ="
                f"   (SELECT c.parent_id FROM {quote(product._meta.db_table)} c"
                f"    WHERE c.id = {s}.product_id)))",
                [quantity, self.pk, quantity, stock_alert.OPEN, product_alert.ACTIVE],
            )
            row = cursor.fetchone()
        if row is None:
            raise SoldOut(self, quantity)
        self.num_allocated = row[0]
        self.alerts_known = AlertsKnown(open_stock_alerts=row[1], product_alerts=row[2])
        try:
            self.post_save_signal()
        finally:
            del self.alerts_known

    allocate.alters_data = True

    class Meta(AbstractStockRecord.Meta):
        app_label = "partner"
        # Oscar stores any price; a price of zero or below would let a basket pay less
        # than its other cooperatives' lines and write negative income (invariant 10).
        constraints = [
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gt=0),
                name="stockrecord_price_positive",
                violation_error_message=_("价格必须大于0元。"),
            ),
        ]


from oscar.apps.partner.models import *  # noqa: E402,F403  Oscar's remaining partner models
