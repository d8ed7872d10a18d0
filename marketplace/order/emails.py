"""The customer's emails about an order, written in the language they checked out in
(Chinese when it is not known)."""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from oscar.core.loading import get_model

Order = get_model("order", "Order")
Shipment = get_model("order", "Shipment")


def _language(order) -> str:
    attempt = getattr(order, "payment_attempt", None) if order.pk else None
    language = getattr(attempt, "language", "") or ""
    codes = {code for code, _name in settings.LANGUAGES}
    return language if language in codes else settings.LANGUAGE_CODE


def _send(*, order, template: str, context: dict) -> bool:
    recipient = order.email
    if not recipient:
        return False
    context = {**context, "site_url": settings.WAGTAILADMIN_BASE_URL.rstrip("/")}
    with translation.override(_language(order)):
        subject = render_to_string(f"oscar/customer/emails/{template}_subject.txt", context)
        body = render_to_string(f"oscar/customer/emails/{template}_body.txt", context)
    send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [recipient])
    return True


def order_confirmation_send(*, order) -> bool:
    """The order was placed: what was bought, from which cooperatives, for how much."""
    lines = list(order.lines.select_related("cooperative").order_by("pk"))
    return _send(order=order, template="order_placed", context={"order": order, "lines": lines})


def shipment_email_send(*, shipment) -> bool:
    """A cooperative shipped its part of the order: carrier, tracking number, lines."""
    order = shipment.order
    lines = list(order.lines.filter(cooperative=shipment.cooperative).order_by("pk"))
    return _send(
        order=order,
        template="shipment_shipped",
        context={"order": order, "shipment": shipment, "lines": lines},
    )
