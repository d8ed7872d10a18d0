"""A cooperative's own part of the orders it shares with others, for Oscar's dashboard.

Oscar shows a partner user every order that holds one of its lines with that order's
totals; an order here mixes several cooperatives, so every figure a cooperative sees is
summed from its own lines: what the buyer paid for them, after discounts
(line_price_incl_tax, the amount the income ledger splits)."""

from decimal import Decimal

from django.db.models import Count, DecimalField, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from oscar.core.loading import get_model

Line = get_model("order", "Line")

ZERO = Decimal("0.00")


def cooperative_lines(*, user) -> QuerySet:
    """The order lines of the cooperatives (Oscar partners) `user` works for."""
    return Line.objects.filter(partner__users=user)


def orders_with_cooperative_totals(*, orders: QuerySet, user) -> QuerySet:
    """`orders`, each with own_subtotal and own_num_items: the sum and the units of the
    user's cooperatives' lines in it (one subquery each, whatever the number of orders)."""
    own = cooperative_lines(user=user).filter(order=OuterRef("pk")).order_by().values("order")
    return orders.annotate(
        own_subtotal=Coalesce(
            Subquery(own.annotate(amount=Sum("line_price_incl_tax")).values("amount")),
            ZERO,
            output_field=DecimalField(max_digits=12, decimal_places=2),
        ),
        own_num_items=Coalesce(
            Subquery(own.annotate(units=Sum("quantity")).values("units")),
            0,
            output_field=IntegerField(),
        ),
    )


def cooperative_revenue(*, user, orders: QuerySet | None = None, since=None) -> dict:
    """The user's cooperatives' lines in `orders` (all their orders if None): their number,
    their sum (`revenue`) and, if `since` is given, the sum of those placed after it
    (`revenue_since`). One query."""
    lines = cooperative_lines(user=user)
    if orders is not None:
        lines = lines.filter(order__in=orders.order_by().values("pk"))
    figures = {
        "lines": Count("pk"),
        "revenue": Coalesce(Sum("line_price_incl_tax"), ZERO),
    }
    if since is not None:
        figures["revenue_since"] = Coalesce(
            Sum("line_price_incl_tax", filter=Q(order__date_placed__gt=since)), ZERO
        )
    return lines.aggregate(**figures)
