"""A checkout that always ends well, as the customer sees it: a payment left on the pay page
or whose stock hold lapsed gives the basket back, with a message on the customer's next
page. The pay page and the middleware call this; the work is the payment services'."""

import logging

from django.contrib import messages
from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from marketplace.payment import gateway
from marketplace.payment.services import payment_attempt_abandon

logger = logging.getLogger(__name__)

PaymentAttempt = get_model("payment", "PaymentAttempt")
State = PaymentAttempt.State

# The session remembers the customer's payment attempt from the preview to the outcome.
SESSION_ATTEMPT = "stripe_payment_attempt_id"


def _say(request, attempt) -> None:
    if attempt.state == State.SUCCEEDED:
        messages.success(
            request, _("订单 %(number)s 已支付成功。") % {"number": attempt.order_number}
        )
    elif attempt.state == State.PENDING:  # Stripe is still processing the payment
        messages.info(request, _("支付处理中，确认到账后将自动生成订单。"))
    elif attempt.state == State.EXPIRED:
        messages.warning(request, _("支付已超时，商品库存已释放，商品已放回购物车。"))
    elif attempt.state == State.ABANDONED:
        messages.info(request, _("您尚未完成支付，商品已放回购物车。"))
    else:
        messages.warning(request, _("支付未成功，商品已放回购物车。"))


def session_attempt_settle(request, *, leaving: bool) -> bool:
    """Settle the payment attempt the session remembers, if it is over: one the customer is
    `leaving` (they opened another page) or whose hold has lapsed is abandoned (its intent
    cancelled, its stock released, the basket given back, or the order placed if Stripe says
    it was paid meanwhile); one already over (the beat task released it, the webhook placed
    its order) is only announced. The customer gets one message saying what happened, and
    the session forgets the attempt. Returns whether it did. A Stripe or database failure
    leaves everything for the next page."""
    attempt_id = request.session.get(SESSION_ATTEMPT)
    if not attempt_id:
        return False
    attempt = (
        PaymentAttempt.objects.filter(pk=attempt_id, user=request.user).first()
        if request.user.is_authenticated
        else None
    )
    if attempt is None:
        request.session.pop(SESSION_ATTEMPT, None)
        return False
    if attempt.state == State.PENDING:
        lapsed = attempt.expires_at <= timezone.now()
        if not (leaving or lapsed):
            return False
        try:
            attempt = payment_attempt_abandon(
                attempt_id=attempt.pk, state=State.EXPIRED if lapsed else State.ABANDONED
            )
        except (gateway.GatewayError, DatabaseError):
            logger.warning("Payment attempt %s not settled; next page", attempt.pk, exc_info=True)
            return False
    request.session.pop(SESSION_ATTEMPT, None)
    _say(request, attempt)
    # The basket this request shows is the one given back, not one read before.
    request._basket_cache = None
    return True
