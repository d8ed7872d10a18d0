from django.db.models import Q, QuerySet
from django.utils import timezone
from oscar.core.loading import get_model

from .services.webhooks import RETRY_GRACE

ProcessedWebhookEvent = get_model("payment", "ProcessedWebhookEvent")


def webhook_events_failing() -> QuerySet:
    """Stored Stripe events not processed yet that failed at least once, or have waited
    past the grace period (no worker took them): for platform staff to look into."""
    waited = timezone.now() - RETRY_GRACE
    return (
        ProcessedWebhookEvent.objects.filter(processed_at=None)
        .filter(Q(attempts__gt=0) | Q(received_at__lte=waited))
        .defer("payload")
        .order_by("-received_at", "-pk")
    )
