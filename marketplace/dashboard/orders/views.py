from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from oscar.apps.dashboard.orders import views
from oscar.core.loading import get_model

from core.money import to_yuan
from marketplace.dashboard.selectors import (
    cooperative_lines,
    cooperative_revenue,
    orders_with_cooperative_totals,
)
from marketplace.order.selectors import (
    cooperative_shipments,
    order_detail_queryset,
    refunded_quantities_from,
)
from marketplace.order.services import (
    ShipmentError,
    shipment_create,
    shipment_deliver,
    user_is_platform_staff,
)
from marketplace.payment.services import RefundError, order_refund

Cooperative = get_model("producers", "Cooperative")
Shipment = get_model("order", "Shipment")
Transaction = get_model("payment", "Transaction")


def _is_evaluator(user) -> bool:
    # Evaluators follow a purchase fact (evaluation.views.screens.FactView) to its order,
    # read only: the actions below check permissions that the evaluator role lacks.
    return not user.is_staff and user.has_perm("evaluation.view_scorecard")


def _reads_every_order(user) -> bool:
    return user.is_staff or _is_evaluator(user)


def _own_lines(lines, user):
    # Oscar shows a partner user every line of an order that has one of theirs; a
    # cooperative sees and acts on only its own lines.
    if _reads_every_order(user):
        return lines
    return lines.filter(partner__users=user)


class OrderListView(views.OrderListView):
    # Oscar lists a partner user's orders with the whole orders' totals and item counts (in
    # the page and its CSV) and lets them change those orders' statuses; a cooperative sees
    # its own lines' subtotal and units, and only platform staff change statuses.
    COOPERATIVE_CSV_COLUMNS = {
        **views.OrderListView.CSV_COLUMNS,
        "value": gettext_lazy("本社小计"),
        "num_items": gettext_lazy("本社件数"),
    }

    def _cooperative_view(self) -> bool:
        return not self.request.user.is_staff

    def _scope_to_own_lines(self):
        if self._cooperative_view():
            self.base_queryset = orders_with_cooperative_totals(
                orders=self.base_queryset, user=self.request.user
            )
            self.CSV_COLUMNS = self.COOPERATIVE_CSV_COLUMNS

    def get(self, request, *args, **kwargs):
        self._scope_to_own_lines()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self._scope_to_own_lines()
        return super().post(request, *args, **kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        if not self._cooperative_view():
            return queryset
        # Oscar matches a product searched for on any line of the order: a cooperative's
        # search matches its own lines, so it cannot learn what others sold in its orders.
        data = getattr(self.form, "cleaned_data", None) or {}
        searched = {
            lookup: data[field]
            for field, lookup in (
                ("product_title", "title__istartswith"),
                ("upc", "upc"),
                ("partner_sku", "partner_sku"),
            )
            if data.get(field)
        }
        if searched:
            own = cooperative_lines(user=self.request.user).filter(**searched)
            queryset = queryset.filter(pk__in=own.values("order_id"))
        if self.request.GET.get("sort") == "total_incl_tax":
            descending = self.request.GET.get("dir") == "desc"
            queryset = queryset.order_by(("-" if descending else "") + "own_subtotal")
        return queryset

    def get_actions(self):
        actions = super().get_actions()
        if not user_is_platform_staff(user=self.request.user):
            actions.pop("change_order_statuses", None)
        return actions

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            cooperative_view=self._cooperative_view(),
            is_platform_staff=user_is_platform_staff(user=self.request.user),
        )
        return context

    def get_row_values(self, order):
        row = super().get_row_values(order)
        if self._cooperative_view():
            # A sum: on SQLite it comes back as 17.0700000000000; the CSV shows yuan.
            row.update(value=to_yuan(order.own_subtotal), num_items=order.own_num_items)
        return row


class OrderStatsView(views.OrderStatsView):
    # Oscar counts every line and sums whole orders for a partner user; a cooperative's
    # statistics count and sum its own lines.
    def get_stats(self, filters):
        stats = super().get_stats(filters)
        user = self.request.user
        if user.is_staff:
            return stats
        orders = views.queryset_orders_for_user(user).filter(**filters)
        figures = cooperative_revenue(user=user, orders=orders)
        stats.update(total_lines=figures["lines"], total_revenue=figures["revenue"])
        return stats


class OrderDetailView(views.OrderDetailView):
    # Oscar's manual payment and shipping events would record money and parcels past the
    # services that announce them; here refunds go through Stripe (order_refund) and each
    # cooperative ships its own lines (shipment_create). Cooperatives may only ship.
    order_actions = (
        "save_note",
        "delete_note",
        "change_order_status",
        "stripe_refund_order",
        "ship_cooperative",
        "deliver_cooperative",
    )
    line_actions = ("stripe_refund_lines",)
    cooperative_actions = ("ship_cooperative", "deliver_cooperative")

    def get_object(self, queryset=None):
        order = order_detail_queryset().filter(number=self.kwargs["number"])
        if not _reads_every_order(self.request.user):
            visible = views.queryset_orders_for_user(self.request.user).values("pk")
            order = order.filter(pk__in=visible)
        order = order.first()
        if order is None:
            raise Http404
        return order

    def get_order_lines(self):
        lines = super().get_order_lines().select_related("product", "partner", "cooperative")
        return _own_lines(lines, self.request.user).order_by("pk")

    def get_payment_transactions(self):
        return Transaction.objects.filter(source__order=self.object).select_related(
            "source__source_type"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        lines = list(context["lines"])
        platform = user_is_platform_staff(user=self.request.user)
        refunded = refunded_quantities_from(order=self.object)
        cooperative_view = not _reads_every_order(self.request.user)
        context.update(
            # A cooperative sees its own part of the order: its lines, their subtotal and its
            # shipment; never another cooperative's lines nor the whole order's total.
            cooperative_view=cooperative_view,
            own_subtotal=sum((line.line_price_incl_tax for line in lines), Decimal("0.00"))
            if cooperative_view
            else None,
            lines=lines,
            is_platform_staff=platform,
            may_ship=not _is_evaluator(self.request.user),
            cooperative_shipments=cooperative_shipments(order=self.object, lines=lines),
            refund_rows=[
                (line, refunded.get(line.pk, 0), line.quantity - refunded.get(line.pk, 0))
                for line in lines
            ]
            if platform
            else [],
        )
        return context

    def handle_order_action(self, request, order, action):
        if not user_is_platform_staff(user=request.user) and action not in (
            self.cooperative_actions
        ):
            raise PermissionDenied
        return super().handle_order_action(request, order, action)

    def handle_line_action(self, request, order, action):
        if not user_is_platform_staff(user=request.user):
            raise PermissionDenied
        return super().handle_line_action(request, order, action)

    # Refunds: platform staff only (order_refund checks it too).

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
        if refund.state == refund.State.PENDING:
            # Stripe has not confirmed it yet: recorded when it does (webhook or sweep).
            messages.info(
                request,
                _("退款 ¥%(amount)s 已提交支付渠道，确认后入账。") % {"amount": refund.amount},
            )
        else:
            messages.success(request, _("已退款 ¥%(amount)s。") % {"amount": refund.amount})
        return self.reload_page(fragment="payment")

    # Fulfilment: a cooperative's staff ship their own lines (403 for another's).

    def _cooperative(self, request, order):
        cooperative_id = request.POST.get("cooperative", "")
        if not (cooperative_id.isdecimal() and cooperative_id.isascii()):
            raise Http404
        cooperative = Cooperative.objects.filter(
            pk=cooperative_id, order_lines__order=order
        ).first()
        if cooperative is None:
            raise Http404
        return cooperative

    def ship_cooperative(self, request, order):
        cooperative = self._cooperative(request, order)
        try:
            shipment_create(
                order=order,
                cooperative=cooperative,
                carrier=request.POST.get("carrier", ""),
                tracking_number=request.POST.get("tracking_number", ""),
                actor=request.user,
            )
        except ShipmentError as exc:
            return self.reload_page(error=str(exc.message))
        messages.success(request, _("%(name)s 的商品已发货。") % {"name": cooperative.legal_name})
        return self.reload_page()

    def deliver_cooperative(self, request, order):
        cooperative = self._cooperative(request, order)
        shipment = Shipment.objects.filter(order=order, cooperative=cooperative).first()
        if shipment is None:
            return self.reload_page(error=_("只有已发货的包裹才能确认送达。"))
        try:
            shipment_deliver(shipment=shipment, actor=request.user)
        except ShipmentError as exc:
            return self.reload_page(error=str(exc.message))
        messages.success(request, _("已确认送达。"))
        return self.reload_page()


class LineDetailView(views.LineDetailView):
    def get_object(self, queryset=None):
        line = super().get_object(queryset)
        if not _own_lines(line.order.lines.filter(pk=line.pk), self.request.user).exists():
            raise Http404
        return line
