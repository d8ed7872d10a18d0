"""Security glue that plain settings cannot express: the Content Security Policy's Stripe
origins (read per request), the login throttling backend and its lockout page."""

from urllib.parse import urlsplit

from axes.backends import AxesStandaloneBackend
from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.shortcuts import render

STRIPE_JS_ORIGIN = "https://js.stripe.com"


def origin(url: str) -> str:
    """'http://127.0.0.1:8420/js.stripe.com/v3/' -> 'http://127.0.0.1:8420' ('' if no host)."""
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def stripe_sources() -> dict[str, list[str]]:
    """What Stripe.js needs: its script and frames, and calls to the Stripe API. With the real
    Stripe.js also its subdomains, 3-D Secure frames and images (Stripe's published CSP)."""
    js, api = origin(settings.STRIPE_JS_URL), origin(settings.STRIPE_API_BASE)
    sources: dict[str, list[str]] = {
        "script-src": [js],
        "frame-src": [js],
        "connect-src": sorted({api, js}),
    }
    if js == STRIPE_JS_ORIGIN:
        sources["script-src"].append("https://*.js.stripe.com")
        sources["frame-src"] += ["https://*.js.stripe.com", "https://hooks.stripe.com"]
        sources["img-src"] = ["https://*.stripe.com"]
    return {directive: [s for s in values if s] for directive, values in sources.items()}


class StripeAwareCSPMiddleware(CSPMiddleware):
    """settings.CONTENT_SECURITY_POLICY plus the Stripe origins of the current settings. They
    differ between the demo (localstripe), the tests (localstripe on a free port, set while
    the process runs) and production, so they are added per request, not at start-up."""

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only:
            return parts
        update = {key: list(value) for key, value in (parts.update or {}).items()}
        for directive, sources in stripe_sources().items():
            update[directive] = update.get(directive, []) + sources
        parts.update = update
        return parts


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out login: a page in the user's language, HTTP 429."""
    return render(
        request,
        "axes/lockout.html",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        },
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


class LoginThrottleBackend(AxesStandaloneBackend):
    """django-axes' check, for logins that come with a request (every login form: store,
    dashboards, CMS and Django admin). Oscar logs a customer in right after registration
    with authenticate() and no request: a password the user has just chosen, nothing to
    throttle. Axes itself would raise there and turn registration into a server error."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def login_username(request, credentials=None) -> str | None:
    """The account a login attempt is for, as django-axes counts it. E-mail addresses are
    matched without regard to case (Oscar), so Li@X and li@x count as one account; a mobile
    number counts as its account's address, so that wrong passwords by number and by address
    add up to one lockout (and '138 0013 8000' is 13800138000)."""
    from marketplace.users.selectors import user_login_key

    credentials = credentials or {}
    value = credentials.get("username") or credentials.get("email")
    if value is None and request is not None:
        data = getattr(request, "data", request.POST)
        value = data.get("username") or data.get("login-username") or data.get("email")
    return user_login_key(identifier=str(value)) if value else None
