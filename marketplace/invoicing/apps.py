from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InvoicingConfig(AppConfig):
    name = "marketplace.invoicing"
    label = "invoicing"
    verbose_name = _("验收与发票")

    def ready(self) -> None:
        # The payment stores and replays Stripe's webhooks; an invoice.paid settles the
        # invoice it names (the payment does not know invoices: it builds below them).
        from marketplace.payment.services.webhooks import webhook_handler_add

        from .services.stripe_invoicing import invoice_stripe_paid

        webhook_handler_add(
            event_type="invoice.paid",
            handler=lambda stripe_invoice_id: invoice_stripe_paid(
                stripe_invoice_id=stripe_invoice_id
            ),
        )
