from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicingConfig(AppConfig):
    name = "marketplace.invoicing"
    label = "invoicing"
    verbose_name = _("验收与发票")
