from django.utils.translation import gettext_lazy as _
from oscar.apps.partner import strategy
from oscar.apps.partner.availability import Unavailable

from marketplace.catalogue.selectors import (
    basket_lines_prefetch,
    product_is_for_sale,
    product_purchase_prefetch,
)


class NotCertified(Unavailable):
    code = "not-certified"
    message = _("该产品的扶贫产品认定已失效或未通过，暂停销售")

    def is_purchase_permitted(self, quantity):
        return False, self.message


class CertifiedStockRequired(strategy.StockRequired):
    # Oscar sells anything with stock; here a product sells only while its cooperative
    # is certified and it holds a valid poverty-alleviation certificate.
    def availability_policy(self, product, stockrecord):
        if not product_is_for_sale(product=product):
            return NotCertified()
        return super().availability_policy(product, stockrecord)


class Marketplace(
    strategy.UseFirstStockRecord, CertifiedStockRequired, strategy.NoTax, strategy.Structured
):
    """Prices are final consumer prices in CNY (no tax added on top)."""

    def fetch_for_product(self, product, stockrecord=None):
        # Adding to the basket asks twice for a product loaded alone (Oscar's form checks
        # the price and stock, then the basket adds the line): read them once.
        if stockrecord is None and not product.is_parent:
            product_purchase_prefetch(product=product)
        return super().fetch_for_product(product, stockrecord)

    def fetch_for_line(self, line, stockrecord=None):
        # Oscar loads each basket line's product alone; load all lines' products at once.
        basket_lines_prefetch(lines=line.basket.all_lines())
        return super().fetch_for_line(line, stockrecord)


class Selector:
    def strategy(self, request=None, user=None, **kwargs):
        return Marketplace(request)
