import oscar.apps.order.apps as apps


class OrderConfig(apps.OrderConfig):
    name = "marketplace.order"

    def ready(self):
        super().ready()
        from producers import workspace

        from .cooperative_panel import cooperative_orders_panel, cooperative_products_panel

        # The cooperative's workspace home shows its products and the orders to ship.
        workspace.panel_add(
            workspace=workspace.COOPERATIVE,
            template_name="order/cooperative_products_panel.html",
            context=cooperative_products_panel,
            order=10,
        )
        workspace.panel_add(
            workspace=workspace.COOPERATIVE,
            template_name="order/cooperative_orders_panel.html",
            context=cooperative_orders_panel,
            order=20,
        )
