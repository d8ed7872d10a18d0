from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from oscar.apps.dashboard.orders import views

from marketplace.payment.services import RefundError, order_refund


def _own_lines(lines, user):
    # Oscar shows a partner user every line of an order that has one of theirs; a
    # cooperative sees and acts on only its own lines.
    if user.is_staff:
        return lines
    return lines.filter(partner__users=user)


class OrderDetailView(views.OrderDetailView):
    # Oscar's payment events only record money moved elsewhere; a refund here goes
    # through Stripe (marketplace.payment.services.order_refund) and records itself.
    order_actions = (*views.OrderDetailView.order_actions, "stripe_refund_order")
    line_actions = (*views.OrderDetailView.line_actions, "stripe_refund_lines")

    def get_order_lines(self):
        return _own_lines(super().get_order_lines(), self.request.user)

    def stripe_refund_order(self, request, order):
        return self._stripe_refund(request, order, None)

    def stripe_refund_lines(self, request, order, lines, quantities):
        return self._stripe_refund(request, order, dict(zip(lines, quantities, strict=True)))

    def _stripe_refund(self, request, order, lines_quantities):
        try:
            refund = order_refund(
                order=order, lines_quantities=lines_quantities, actor=request.user
            )
        except PermissionDenied:
            return self.reload_page(error=_("只有平台工作人员可以退款。"))
        except RefundError as exc:
            return self.reload_page(error=str(exc.message))
        messages.success(request, _("已退款 ¥%(amount)s。") % {"amount": refund.amount})
        return self.reload_page(fragment="payment")


class LineDetailView(views.LineDetailView):
    def get_object(self, queryset=None):
        line = super().get_object(queryset)
        if not _own_lines(line.order.lines.filter(pk=line.pk), self.request.user).exists():
            raise Http404
        return line
