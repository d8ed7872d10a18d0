from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncomeConfig(AppConfig):
    name = "producers.income"
    label = "income"
    verbose_name = _("收益追踪")

    def ready(self):
        from . import receivers  # noqa: F401  connects to the store's payment announcements
