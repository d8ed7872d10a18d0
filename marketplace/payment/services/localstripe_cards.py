"""The demo's card payments on localstripe.

localstripe's Stripe.js stand-in only authenticates (3-D Secure) a PaymentIntent that is
already confirmed; real Stripe.js confirms it in the browser with the card Element. So that the
demo's pay page works offline, it sends the stand-in card's *test* number here and the site
confirms at localstripe. Only with settings.STRIPE_LOCALSTRIPE, which production switches off.
"""

import re

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from oscar.core.loading import get_model

from marketplace.payment import gateway

from .checkout import CheckoutError, payment_attempt_intent_renew

PaymentAttempt = get_model("payment", "PaymentAttempt")

CARD_FIELDS = {
    "number": re.compile(r"^\d{16}$"),
    "exp_month": re.compile(r"^\d{1,2}$"),
    "exp_year": re.compile(r"^\d{4}$"),
    "cvc": re.compile(r"^\d{3}$"),
}


class CardRefused(CheckoutError):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class PaymentServiceUnavailable(CheckoutError):
    """Stripe was unreachable, hung or failed on its side: the card was not refused."""

    message = gettext_lazy("支付服务暂时不可用，请稍后再试。")


def payment_attempt_confirm_with_test_card(
    *, attempt: PaymentAttempt, card: dict | None
) -> dict[str, str]:
    """Confirm the attempt's PaymentIntent at localstripe; returns its id and status
    ("succeeded", or "requires_action" for a 3-D Secure test card), and the client secret of
    the attempt's new intent when a declined one was replaced. Raises CardRefused for a
    card the customer must fix or change, PaymentServiceUnavailable when Stripe did not
    answer."""
    if not settings.STRIPE_LOCALSTRIPE:
        raise CardRefused(_("此支付方式未启用。"))
    if attempt.state != PaymentAttempt.State.PENDING:
        raise CardRefused(_("支付已超时或失败，请重新下单。"))
    values = {field: str((card or {}).get(field, "")).strip() for field in CARD_FIELDS}
    if not all(pattern.match(values[field]) for field, pattern in CARD_FIELDS.items()):
        raise CardRefused(_("请填写完整的卡号、有效期和安全码。"))
    try:
        try:
            intent = gateway.payment_intent_confirm_with_test_card(
                attempt.payment_intent_id, card=values
            )
            renewed = False
        except gateway.GatewayError as error:
            if gateway.is_unavailable(error) or gateway.is_card_declined(error):
                raise
            # Refused outright, no card looked at: localstripe refuses to confirm an intent
            # again after a declined card (Stripe itself takes the next card on the same
            # intent), so the attempt moves to a new intent, the old one cancelled first.
            attempt = _intent_renew_after_decline(attempt=attempt, error=error)
            if attempt.order_id is not None:
                return {"id": attempt.payment_intent_id, "status": "succeeded"}
            intent = gateway.payment_intent_confirm_with_test_card(
                attempt.payment_intent_id, card=values
            )
            renewed = True
    except gateway.GatewayError as error:
        if gateway.is_unavailable(error):
            raise PaymentServiceUnavailable() from error
        # Stripe's own messages are English; the customer reads ours.
        raise CardRefused(_("银行卡被拒绝，请换一张卡再试。")) from error
    if intent["status"] == "requires_payment_method":  # declined: the intent waits for another card
        raise CardRefused(_("银行卡被拒绝，请换一张卡再试。"))
    answer = {"id": intent["id"], "status": intent["status"]}
    if renewed:  # the pay page's Stripe.js authenticates (3-D Secure) the new intent
        answer["client_secret"] = attempt.client_secret
    return answer


def _intent_renew_after_decline(*, attempt: PaymentAttempt, error: Exception) -> PaymentAttempt:
    """The attempt on a new intent if its own holds a declined card's payment method (else
    `error` again); CardRefused if the attempt is over meanwhile."""
    current = gateway.payment_intent_retrieve(attempt.payment_intent_id).to_dict()
    if current["status"] != "requires_payment_method" or not current.get("payment_method"):
        raise error
    attempt = payment_attempt_intent_renew(attempt_id=attempt.pk)
    if attempt.order_id is None and attempt.state != PaymentAttempt.State.PENDING:
        raise CardRefused(_("支付已超时或失败，请重新下单。"))
    return attempt
