"""The header's basket summary (number of items and total) without loading the basket.

Oscar's basket, as the middleware loads it, costs a query for the basket, its lines, the
offers and vouchers and the strategy's data for every line's product: most of a signed-in
buyer's page. The header needs two numbers. Here one query reads the buyer's open basket
with a fingerprint of its lines (how many, how many items, the newest line and change, the
vouchers); the total is priced as Oscar prices it once per fingerprint and catalogue
version (prices and availability live in the catalogue) and kept in the cache. The number
of items comes from that query, always exact. An edited offer shows in the header's total
when the entry expires (SUMMARY_SECONDS); the basket page itself is always Oscar's.

Pages whose view loaded the basket already (the basket page, checkout), visitors with a
basket cookie (no account, or one just signed in: Oscar merges the baskets) and a buyer with
more than one open basket get Oscar's basket as before."""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, IntegerField, Max, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.functional import empty
from oscar.core.loading import get_model

from core.statements import Statement

from .caching import catalogue_version, versioned_key

Basket = get_model("basket", "Basket")

SUMMARY_SECONDS = 60
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class BasketSummary:
    num_items: int
    total: Decimal
    currency: str


def _of_basket(basket) -> BasketSummary:
    if basket.id is None or not basket.num_items:
        return BasketSummary(0, ZERO, settings.OSCAR_DEFAULT_CURRENCY)
    total = basket.total_incl_tax if basket.is_tax_known else basket.total_excl_tax
    return BasketSummary(basket.num_items, total, basket.currency)


def _fingerprints_of(owner_id: int):
    vouchers = (
        Basket.vouchers.through.objects.filter(basket_id=OuterRef("pk"))
        .order_by()
        .values("basket_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Basket.open.filter(owner_id=owner_id)
        .order_by()
        .annotate(
            lines_count=Count("lines"),
            items=Coalesce(Sum("lines__quantity"), Value(0)),
            last_line=Max("lines__id"),
            last_change=Max("lines__date_updated"),
            vouchers_count=Coalesce(Subquery(vouchers, output_field=IntegerField()), Value(0)),
        )
        .values_list("id", "lines_count", "items", "last_line", "last_change", "vouchers_count")[:2]
    )


# Asked on every signed-in page: compiled once per process (building this queryset costs
# several times what PostgreSQL takes to answer it).
_FINGERPRINTS = Statement(_fingerprints_of, model=Basket)


def _fingerprints(user) -> list[tuple]:
    return _FINGERPRINTS.rows(owner_id=user.pk)


def basket_summary(*, request, version: str = "") -> BasketSummary:
    """The reader's basket in the header: one query (and the catalogue version, unless
    given) for a signed-in buyer whose summary is in the cache."""
    if getattr(request.basket, "_wrapped", empty) is not empty:
        return _of_basket(request.basket)  # the view loaded it already (basket, checkout)
    user = request.user
    has_cookie_basket = settings.OSCAR_BASKET_COOKIE_OPEN in request.COOKIES
    if not user.is_authenticated and not has_cookie_basket:  # a visitor's basket is a cookie's
        return BasketSummary(0, ZERO, settings.OSCAR_DEFAULT_CURRENCY)
    if not user.is_authenticated or has_cookie_basket:
        return _of_basket(request.basket)
    found = _fingerprints(user)
    if not found:  # Oscar would create an empty basket on the first look; nothing to show
        return BasketSummary(0, ZERO, settings.OSCAR_DEFAULT_CURRENCY)
    if len(found) > 1:  # Oscar merges them
        return _of_basket(request.basket)
    fingerprint = found[0]
    if not fingerprint[2]:
        return BasketSummary(0, ZERO, settings.OSCAR_DEFAULT_CURRENCY)
    key = versioned_key("basket-summary", version or catalogue_version(), *fingerprint)
    summary = cache.get(key)
    if summary is None:
        summary = _of_basket(request.basket)
        cache.set(key, summary, SUMMARY_SECONDS)
    return summary
