"""Leaving the pay page gives the basket back (see recovery.py)."""

from django.urls import Resolver404, resolve

from .recovery import SESSION_ATTEMPT, session_attempt_settle


def _is_page_navigation(request) -> bool:
    """A page the customer opens, not an image, script or background request of one."""
    if request.method != "GET" or request.headers.get("X-Requested-With"):
        return False
    destination = request.headers.get("Sec-Fetch-Dest")
    if destination:
        return destination == "document"
    accept = request.headers.get("Accept")
    return not accept or "text/html" in accept or accept.strip() == "*/*"


def _is_checkout(path: str) -> bool:
    try:
        return "checkout" in resolve(path).namespaces
    except Resolver404:
        return False


class PaymentRecoveryMiddleware:
    """Any page outside checkout (the basket, the catalogue, the account) opened while the
    session holds an unfinished payment settles it: the customer has left the pay page, so
    the items go back to the basket with a message. Costs nothing without such a payment."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.session.get(SESSION_ATTEMPT)
            and _is_page_navigation(request)
            and not _is_checkout(request.path_info)
        ):
            session_attempt_settle(request, leaving=True)
        return self.get_response(request)
