import oscar.apps.dashboard.orders.apps as apps

# Platform staff: who may change any order (marketplace.order.services.user_is_platform_staff).
PLATFORM_STAFF = ["is_staff", "order.change_order"]


class OrdersDashboardConfig(apps.OrdersDashboardConfig):
    name = "marketplace.dashboard.orders"

    def configure_permissions(self):
        # Oscar opens an order's delivery address and its notes to every partner user of
        # the order; here several cooperatives share an order, so one could redirect the
        # others' parcels. Only platform staff change an address or edit a note.
        super().configure_permissions()
        self.permissions_map["order-shipping-address"] = PLATFORM_STAFF
        self.permissions_map["order-detail-note"] = PLATFORM_STAFF
