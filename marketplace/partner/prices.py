"""What a unit price must be before it goes on sale: more than nothing and not absurd.
The store dashboard's stock record form checks it; the database keeps the first half
(StockRecord's stockrecord_price_positive constraint) whatever writes the row. Both
checkouts check the basket again before money is asked for (basket_amounts_valid)."""

import logging
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.money import format_yuan

logger = logging.getLogger(__name__)

# No product of a cooperative sells for more a unit; a typo of a few zeros is caught here.
PRICE_MAX = Decimal("100000.00")


def price_check(*, price: Decimal | None) -> Decimal | None:
    """`price` if it may be a unit price, else ValidationError in the user's language.
    None (no price: the product is not for sale) passes."""
    if price is None:
        return None
    if price <= 0:
        raise ValidationError(_("价格必须大于0元。"), code="price_not_positive")
    if price > PRICE_MAX:
        raise ValidationError(
            _("价格不能高于%(max)s，请检查是否多输入了数字。") % {"max": format_yuan(PRICE_MAX)},
            code="price_too_high",
        )
    return price


def basket_amounts_valid(*, basket, total: Decimal | None) -> bool:
    """Whether a basket may be charged `total`: every line at a unit price above zero and
    the total above zero. A line at zero or below would make the basket cost less than its
    other lines, and their cooperatives' households would be credited money never paid.
    `basket` has its strategy set. Refusals are logged: they mean a bad price got in."""
    for line in basket.all_lines():
        price = line.unit_price_incl_tax
        if price is None or price <= 0 or line.quantity <= 0:
            logger.error(
                "Basket %s: line %s (stock record %s) at %s x %s refused",
                basket.pk,
                line.pk,
                line.stockrecord_id,
                price,
                line.quantity,
            )
            return False
    if total is None or total <= 0:
        logger.error("Basket %s: total %s refused", basket.pk, total)
        return False
    return True
