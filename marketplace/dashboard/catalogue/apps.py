import oscar.apps.dashboard.catalogue.apps as apps


class CatalogueDashboardConfig(apps.CatalogueDashboardConfig):
    name = "marketplace.dashboard.catalogue"

    def configure_permissions(self):
        # Oscar lets any partner user delete their products; a product here carries its
        # certificates and its sold lines' history, and the cooperative role holds no
        # delete permission: only platform staff delete (cooperatives take stock off sale).
        super().configure_permissions()
        self.permissions_map["catalogue-product-delete"] = ["catalogue.delete_product"]
