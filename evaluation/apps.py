from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("考核评估")

    def ready(self):
        from core.partitions import KEY_YEAR, partitioned_table_register

        # Partitioned by the year a fact counts in on PostgreSQL (migration 0013, decision
        # 0008): the daily partitions_ahead task creates the next year's partition ahead.
        partitioned_table_register(table="evaluation_purchasefact", key="year", key_kind=KEY_YEAR)
        # Off-platform sales the eastern side records wait for the cooperative's (or, for a
        # cooperative without staff, the county office's) confirmation.
        from producers import workspace as menus

        for where, label in (
            (menus.COOPERATIVE, _("线下销售确认")),
            (menus.COUNTY, _("线下销售确认（无工作人员的合作社）")),
        ):
            menus.menu_entry_add(
                workspace=where, url_name="evaluation:offplatform-inbox", label=label, order=40
            )
        # The eastern organisation's admin records them, from the organisation workspace.
        from marketplace.organisations import menu as organisation_menu

        from .selectors.offplatform import records_offplatform_sales_for

        organisation_menu.menu_entry_add(
            url_name="evaluation:offplatform-list",
            label=_("线下销售登记"),
            order=40,
            shown=records_offplatform_sales_for,
        )
        # The county office's own report (it reads purchase facts, so it lives here).
        menus.menu_entry_add(
            workspace=menus.COUNTY,
            url_name="evaluation:county-reports",
            label=_("本县消费帮扶报表"),
            order=30,
        )

        from . import receivers  # noqa: F401  connects to the store's payment announcements
