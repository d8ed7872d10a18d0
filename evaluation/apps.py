from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "evaluation"
    verbose_name = _("考核评估")

    def ready(self):
        from . import receivers  # noqa: F401  connects to the store's payment announcements
