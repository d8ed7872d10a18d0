from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from producers import workspace


class IncomeConfig(AppConfig):
    name = "producers.income"
    label = "income"
    verbose_name = _("收益追踪")

    def ready(self):
        from core.partitions import KEY_DATE, partitioned_table_register

        from . import receivers  # noqa: F401  connects to the store's payment announcements

        # Partitioned by year of booking on PostgreSQL (migration 0007, decision 0008): the
        # daily partitions_ahead task creates the next year's partition ahead of time.
        partitioned_table_register(table="income_ledgerentry", key="booked_on", key_kind=KEY_DATE)

        for where, url_name, label, order in (
            (workspace.COUNTY, "income:county-balances", _("农户收益与兑付"), 20),
            (workspace.COUNTY, "income:county-warnings", _("返贫预警"), 21),
            (workspace.COOPERATIVE, "income:cooperative-balances", _("收益与兑付"), 20),
            (workspace.COOPERATIVE, "income:cooperative-supply-lots", _("收购批次"), 21),
        ):
            workspace.menu_entry_add(workspace=where, url_name=url_name, label=label, order=order)
        from .balances import cooperative_income_panel

        workspace.panel_add(
            workspace=workspace.COOPERATIVE,
            template_name="income/cooperative/home_panel.html",
            context=cooperative_income_panel,
            order=30,
        )
