from django.http import Http404
from oscar.apps.dashboard.orders import views


def _own_lines(lines, user):
    # Oscar shows a partner user every line of an order that has one of theirs; a
    # cooperative sees and acts on only its own lines.
    if user.is_staff:
        return lines
    return lines.filter(partner__users=user)


class OrderDetailView(views.OrderDetailView):
    def get_order_lines(self):
        return _own_lines(super().get_order_lines(), self.request.user)


class LineDetailView(views.LineDetailView):
    def get_object(self, queryset=None):
        line = super().get_object(queryset)
        if not _own_lines(line.order.lines.filter(pk=line.pk), self.request.user).exists():
            raise Http404
        return line
