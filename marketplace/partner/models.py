from django.db import connection, models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from oscar.apps.partner.abstract_models import AbstractPartner, AbstractStockRecord


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
        # statement; Django's update() would need a second query.
        with connection.cursor() as cursor:
            cursor.execute(
                'UPDATE "partner_stockrecord"'
                " SET num_allocated = COALESCE(num_allocated, 0) + %s"
                " WHERE id = %s"
                " AND (num_in_stock IS NULL OR num_in_stock >= COALESCE(num_allocated, 0) + %s)"
                " RETURNING num_allocated",
                [quantity, self.pk, quantity],
            )
            row = cursor.fetchone()
        if row is None:
            raise SoldOut(self, quantity)
        self.num_allocated = row[0]
        self.post_save_signal()

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
