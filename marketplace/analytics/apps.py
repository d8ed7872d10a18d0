import oscar.apps.analytics.apps as apps


class AnalyticsConfig(apps.AnalyticsConfig):
    """Oscar's analytics (app label "analytics", its tables and migrations unchanged), with
    product views and searches recorded by a Celery task instead of in the request."""

    name = "marketplace.analytics"

    def ready(self):
        super().ready()  # Oscar's receivers: basket additions and orders, as Oscar records them
        from . import receivers  # noqa: F401  views and searches: later, on a worker
