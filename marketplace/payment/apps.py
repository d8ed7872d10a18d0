import oscar.apps.payment.apps as apps


class PaymentConfig(apps.PaymentConfig):
    name = "marketplace.payment"

    def ready(self):
        super().ready()
        # Register the tasks in every process: the services enqueue them by name
        # (services/webhooks.py), so that they need not import the tasks module.
        from . import tasks  # noqa: F401
