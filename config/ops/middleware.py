import logging

from django.conf import settings
from django.http import JsonResponse

from .health import health_failing, health_report

logger = logging.getLogger("dongxi.health")


class HealthCheckMiddleware:
    """Answers settings.HEALTH_URL before any other middleware: a load balancer probes over
    plain HTTP by address, so neither the HTTPS redirect nor ALLOWED_HOSTS may turn it away,
    and it needs no session, language or page cache. 200 when every part is well, else 503
    naming the failing parts."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != settings.HEALTH_URL:
            return self.get_response(request)
        report = health_report()
        failing = health_failing(report)
        if failing:
            logger.warning("unhealthy: %s", ", ".join(f"{p} ({report[p]})" for p in failing))
        response = JsonResponse(
            {"status": "unhealthy" if failing else "ok", "failing": failing, "checks": report},
            status=503 if failing else 200,
        )
        response["Cache-Control"] = "no-store"
        return response
