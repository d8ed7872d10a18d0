from django.http import Http404
from oscar.apps.customer import views

from marketplace.order.selectors import cooperative_shipments, order_for_customer, order_lines


class OrderDetailView(views.OrderDetailView):
    # Oscar shows one order-wide status; here each cooperative ships its own lines, so the
    # page shows every cooperative's shipment, read through selectors that prefetch.

    def get_object(self, queryset=None):
        order = order_for_customer(user=self.request.user, number=self.kwargs["order_number"])
        if order is None:
            raise Http404
        return order

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        lines = list(order_lines(order=self.object))
        context["lines"] = lines
        context["cooperative_shipments"] = cooperative_shipments(order=self.object, lines=lines)
        return context
