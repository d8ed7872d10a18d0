"""The request's basket, loaded in fewer queries than Oscar's middleware loads it, and
leaving the pay page gives the basket back (see recovery.py)."""

from functools import partial

from django.db.models import Count
from django.urls import Resolver404, resolve
from oscar.core.loading import get_class, get_model

from marketplace.basket.offers import RequestApplicator
from marketplace.catalogue.selectors import basket_lines_load, basket_vouchers_none

from .recovery import SESSION_ATTEMPT, session_attempt_settle

Basket = get_model("basket", "Basket")
Line = get_model("basket", "Line")
OscarBasketMiddleware = get_class("basket.middleware", "BasketMiddleware")


class BasketMiddleware(OscarBasketMiddleware):
    """Oscar's basket middleware, reading less on every page that uses the basket (every
    checkout step loads it again): a signed-in buyer's open basket comes with the number of
    its vouchers, so a basket without any does not ask for them when offers are applied,
    and the lines come in one go with what each step reads of them (basket_lines_load)."""

    def get_basket(self, request):
        if (
            request._basket_cache is None
            and request.user.is_authenticated
            and self.get_cookie_key(request) not in request.COOKIES
        ):
            # Two baskets (merged) and a cookie basket (merged into this one) are Oscar's
            # cases, left to Oscar. A buyer without one gets a new one, as from Oscar.
            found = list(
                Basket.open.filter(owner=request.user)
                .annotate(vouchers_count=Count("vouchers"))
                .order_by()[:2]
            )
            if len(found) <= 1:
                basket = found[0] if found else Basket.open.create(owner=request.user)
                basket.owner = request.user
                if not getattr(basket, "vouchers_count", 0):
                    basket_vouchers_none(basket=basket)
                request._basket_cache = basket
        basket = super().get_basket(request)
        if "all_lines" not in vars(basket):
            # Oscar's basket reloads its lines after a change (adding a product, a
            # voucher): this basket reloads them the same way.
            # A checkout step whose page shows no line says so first (checkout.views).
            # So does adding a product: its view always redirects (basket_lines_shown).
            images = getattr(request, "basket_line_images", None)
            if images is None:
                images = basket_lines_shown(request)
            basket.all_lines = partial(_all_lines, basket, images=images)
        return basket

    def apply_offers_to_basket(self, request, basket):
        basket.all_lines()
        if not basket.is_empty:
            RequestApplicator().apply(basket, request.user, request)


def basket_lines_shown(request) -> bool:
    """Whether the request's page may show the basket's lines (with their images). Oscar's
    add-to-basket view answers every POST with a redirect, so it shows none."""
    match = request.resolver_match
    return match is None or match.view_name != "basket:add"


def _all_lines(basket, *, images: bool):
    if basket._lines is None:
        basket_lines_load(basket=basket, images=images)
    return Line.objects.none() if basket.id is None else basket._lines


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
