from datetime import timedelta
from decimal import Decimal

from django.db.models import F
from django.utils.timezone import now
from oscar.apps.dashboard import views

from marketplace.dashboard.selectors import cooperative_lines, cooperative_revenue


class IndexView(views.IndexView):
    # Oscar sums whole orders' totals for a partner user, so a cooperative sharing an order
    # saw the other cooperatives' sales as its revenue; partner users get their own lines'.

    def get_hourly_report(self, orders, hours=24, segments=10):
        if self.request.user.is_staff:
            return super().get_hourly_report(orders, hours, segments)
        # Oscar's chart sums total_incl_tax by date_placed: the cooperative's own lines
        # under those two names give its own revenue per two hours.
        own = cooperative_lines(user=self.request.user).annotate(
            date_placed=F("order__date_placed"), total_incl_tax=F("line_price_incl_tax")
        )
        return super().get_hourly_report(own, hours, segments)

    def get_stats(self):
        stats = super().get_stats()
        if self.request.user.is_staff:
            return stats
        figures = cooperative_revenue(user=self.request.user, since=now() - timedelta(hours=24))
        orders_last_day = stats["total_orders_last_day"]
        stats.update(
            total_revenue=figures["revenue"],
            total_revenue_last_day=figures["revenue_since"],
            average_order_costs=(
                (figures["revenue_since"] / orders_last_day).quantize(Decimal("0.01"))
                if orders_last_day
                else Decimal("0.00")
            ),
        )
        return stats
