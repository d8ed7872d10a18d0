from django.contrib import admin
from oscar.apps.order import admin as oscar_admin
from oscar.apps.order.admin import *  # noqa: F403

from core.admin import ReadOnlyMixin

# What an order's lines were, what was paid, shipped or refunded for them and when its
# status changed are written by the placement, payment and shipment services; the income
# ledger and the purchase facts are built from them. The admin shows them; statuses change
# in the dashboard, whose event handler records each change.


class OrderLineInline(ReadOnlyMixin, oscar_admin.LineInline):
    pass


class OrderAdmin(oscar_admin.OrderAdmin):
    readonly_fields = (
        *oscar_admin.OrderAdmin.readonly_fields,
        "status",
        "organisation",
        "sales_channel",
    )
    inlines = [OrderLineInline]


class LineAdmin(ReadOnlyMixin, oscar_admin.LineAdmin):
    pass


class PaymentEventQuantityInline(ReadOnlyMixin, oscar_admin.PaymentEventQuantityInline):
    pass


class PaymentEventAdmin(ReadOnlyMixin, oscar_admin.PaymentEventAdmin):
    inlines = [PaymentEventQuantityInline]


class ShippingEventAdmin(ReadOnlyMixin, oscar_admin.ShippingEventAdmin):
    pass


class OrderStatusAdmin(ReadOnlyMixin, oscar_admin.OrderStatusAdmin):
    pass


class LinePriceAdmin(ReadOnlyMixin, oscar_admin.LinePriceAdmin):
    pass


for model, model_admin in (
    (oscar_admin.Order, OrderAdmin),
    (oscar_admin.Line, LineAdmin),
    (oscar_admin.PaymentEvent, PaymentEventAdmin),
    (oscar_admin.ShippingEvent, ShippingEventAdmin),
    (oscar_admin.OrderStatusChange, OrderStatusAdmin),
    (oscar_admin.LinePrice, LinePriceAdmin),
):
    admin.site.unregister(model)
    admin.site.register(model, model_admin)
