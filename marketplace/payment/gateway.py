"""Every call to Stripe goes through this module; it is the only one that imports `stripe`.

Amounts cross this boundary as Decimal yuan and leave it as integer fen (Stripe's smallest
currency unit for CNY). The HTTP client is injectable: unit tests install a fake one with
`http_client_install`, integration tests point settings.STRIPE_API_BASE at localstripe.
"""

import functools
import json
from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings

from core.money import FEN, to_yuan

CURRENCY = "cny"

# Errors the rest of the code may catch without importing stripe.
GatewayError = stripe.StripeError
SignatureError = stripe.SignatureVerificationError


def is_not_found(exc: BaseException) -> bool:
    """Stripe answered that the object does not exist (asking again will not help)."""
    return isinstance(exc, stripe.InvalidRequestError) and exc.http_status == 404


def is_refused(exc: BaseException) -> bool:
    """Stripe answered and refused the request (nothing was done); not a lost connection,
    a timeout, a server error, rate limiting or a concurrent use of the idempotency key,
    after which Stripe may or may not have acted."""
    status = getattr(exc, "http_status", None)
    return (
        isinstance(exc, stripe.StripeError)
        and status is not None
        and 400 <= status < 500
        and status not in (409, 429)
    )


_http_client: stripe.HTTPClient | None = None


def http_client_install(client: stripe.HTTPClient | None) -> None:
    """Use `client` for every later call (None: the library's default HTTP client)."""
    global _http_client
    _http_client = client


@functools.cache
def _default_http_client(timeout: int) -> stripe.HTTPClient:
    return stripe.new_default_http_client(timeout=timeout)


def _client() -> stripe.StripeClient:
    # The library's own timeout is 80 s: a customer would wait minutes on a hung Stripe.
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses={"api": settings.STRIPE_API_BASE},
        http_client=_http_client or _default_http_client(settings.STRIPE_TIMEOUT_SECONDS),
        max_network_retries=0 if _http_client is not None else 1,
    )


def is_card_declined(exc: BaseException) -> bool:
    """Stripe looked at the card and declined it (the customer may try another)."""
    return isinstance(exc, stripe.CardError)


def is_unavailable(exc: BaseException) -> bool:
    """Stripe could not be reached, did not answer in time or failed on its side: asking
    again later may work, and nothing was said about the card."""
    return isinstance(exc, (stripe.APIConnectionError, stripe.APIError, stripe.RateLimitError))


def to_fen(amount: Decimal) -> int:
    """Decimal yuan → integer fen, exactly (never through a float)."""
    return int(to_yuan(amount) / FEN)


def from_fen(amount: int) -> Decimal:
    return to_yuan(Decimal(int(amount)) * FEN)


def payment_method_types() -> list[str]:
    """Card always; Alipay and WeChat Pay when the account supports them (configuration)."""
    types = ["card"]
    if settings.STRIPE_ALIPAY_ENABLED:
        types.append("alipay")
    if settings.STRIPE_WECHAT_PAY_ENABLED:
        types.append("wechat_pay")
    return types


def payment_intent_create(
    *, amount: Decimal, metadata: dict[str, str], idempotency_key: str
) -> Any:
    return _client().v1.payment_intents.create(
        params={
            "amount": to_fen(amount),
            "currency": CURRENCY,
            "payment_method_types": payment_method_types(),
            "metadata": metadata,
        },
        options={"idempotency_key": idempotency_key},
    )


def payment_intent_retrieve(payment_intent_id: str) -> Any:
    return _client().v1.payment_intents.retrieve(payment_intent_id)


def payment_intent_cancel(payment_intent_id: str) -> Any:
    return _client().v1.payment_intents.cancel(payment_intent_id)


def payment_intent_confirm(payment_intent_id: str, *, payment_method: str) -> Any:
    """Server-side confirmation (tests and the demo; customers confirm with Stripe.js).
    The payment method is attached first: localstripe refuses it on confirm."""
    client = _client()
    client.v1.payment_intents.update(payment_intent_id, params={"payment_method": payment_method})
    return client.v1.payment_intents.confirm(payment_intent_id)


def payment_intent_confirm_with_test_card(payment_intent_id: str, *, card: dict[str, str]) -> Any:
    """localstripe only: a PaymentMethod from the stand-in card's test number, then confirm.
    Real Stripe.js never lets card numbers reach the site; the view refuses outside localstripe."""
    method = _client().v1.payment_methods.create(
        params={
            "type": "card",
            "card": {field: card[field] for field in ("number", "exp_month", "exp_year", "cvc")},
        }
    )
    return payment_intent_confirm(payment_intent_id, payment_method=method.id)


def refund_create(
    *, payment_intent_id: str, amount: Decimal, metadata: dict[str, str], idempotency_key: str
) -> Any:
    return _client().v1.refunds.create(
        params={
            "payment_intent": payment_intent_id,
            "amount": to_fen(amount),
            "metadata": metadata,
        },
        options={"idempotency_key": idempotency_key},
    )


def refund_list(*, payment_intent_id: str) -> list[Any]:
    refunds = _client().v1.refunds.list(params={"payment_intent": payment_intent_id})
    return [refund.to_dict() for refund in refunds.data]


def refund_retrieve(refund_id: str) -> dict:
    return _client().v1.refunds.retrieve(refund_id).to_dict()


def invoice_retrieve(invoice_id: str) -> dict:
    return _client().v1.invoices.retrieve(invoice_id).to_dict()


class EventMalformed(ValueError):
    """A correctly signed body that is not a Stripe event this site can store."""


def webhook_event_construct(*, payload: bytes | str, sig_header: str) -> dict:
    """The event of a webhook request as plain JSON, once its signature is verified with
    the signing secret. Raises SignatureError (bad or stale signature), EventMalformed (no
    event id, type or data object) or ValueError. The body only says which object changed:
    what it says about the object is read again from Stripe before anything is done."""
    stripe.WebhookSignature.verify_header(
        payload, sig_header, settings.STRIPE_WEBHOOK_SECRET, stripe.Webhook.DEFAULT_TOLERANCE
    )
    if isinstance(payload, bytes):
        payload = payload.decode("utf-8")
    event = json.loads(payload)
    if not isinstance(event, dict):
        raise EventMalformed("the body is not a JSON object")
    event_id, event_type = event.get("id"), event.get("type")
    if not isinstance(event_id, str) or not 0 < len(event_id) <= 255:
        raise EventMalformed("the event has no id")
    if not isinstance(event_type, str) or not 0 < len(event_type) <= 100:
        raise EventMalformed("the event has no type")
    data = event.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("object"), dict):
        raise EventMalformed("the event has no data object")
    return event


def invoice_send(
    *,
    email: str,
    name: str,
    description: str,
    amount: Decimal,
    days_until_due: int,
    metadata: dict[str, str],
    idempotency_key: str,
) -> Any:
    """Stripe Invoicing for institutional buyers: a customer, a one-item invoice paid by
    transfer or card before it is due, finalised and emailed by Stripe. Its `invoice.paid`
    webhook settles it (marketplace.invoicing)."""
    client = _client()
    customer = client.v1.customers.create(
        params={"email": email, "name": name, "metadata": metadata},
        options={"idempotency_key": f"{idempotency_key}-customer"},
    )
    invoice = client.v1.invoices.create(
        params={
            "customer": customer.id,
            "collection_method": "send_invoice",
            "days_until_due": days_until_due,
            "currency": CURRENCY,
            "metadata": metadata,
        },
        options={"idempotency_key": f"{idempotency_key}-invoice"},
    )
    client.v1.invoice_items.create(
        params={
            "customer": customer.id,
            "invoice": invoice.id,
            "amount": to_fen(amount),
            "currency": CURRENCY,
            "description": description,
        },
        options={"idempotency_key": f"{idempotency_key}-item"},
    )
    client.v1.invoices.finalize_invoice(invoice.id)
    return client.v1.invoices.send_invoice(invoice.id)
