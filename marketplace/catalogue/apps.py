import oscar.apps.catalogue.apps as apps
from django.utils.translation import gettext_lazy as _

from producers import workspace


class CatalogueConfig(apps.CatalogueConfig):
    name = "marketplace.catalogue"

    def ready(self):
        super().ready()
        # Product certification is the store's; the workspaces below link to it.
        workspace.menu_entry_add(
            workspace=workspace.COUNTY,
            url_name="catalogue-certification:county-list",
            label=_("扶贫产品认定"),
            order=10,
        )
        workspace.menu_entry_add(
            workspace=workspace.COOPERATIVE,
            url_name="catalogue-certification:cooperative-products",
            label=_("产品与认定"),
            order=10,
        )
