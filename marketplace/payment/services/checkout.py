"""From a basket to a paid order: stock is held and a PaymentIntent created when the
customer reaches the payment page; the order is placed exactly once when the payment
succeeds, whether the customer's return or Stripe's webhook reports it first."""

import datetime
import logging
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from core.transactions import retry_on_serialization_failure
from marketplace.catalogue.selectors import basket_vouchers_none
from marketplace.order.placement import order_create_from_basket
from marketplace.order.tasks import order_confirmation_email_task
from marketplace.partner.models import SoldOut
from marketplace.partner.prices import basket_amounts_valid
from marketplace.payment import gateway
from marketplace.payment.events import PAID

from .address_book import address_book_record
from .reservations import reservations_convert, reservations_release, stock_reserve
from .settlement import payment_settlement_record, stripe_refunds_apply_pending

logger = logging.getLogger(__name__)

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventType = get_model("order", "PaymentEventType")
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")
Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")
PaymentAttempt = get_model("payment", "PaymentAttempt")
StripeRefund = get_model("payment", "StripeRefund")

State = PaymentAttempt.State


class CheckoutError(Exception):
    """A checkout that cannot go on; `message` is for the customer."""

    message = _("暂时无法完成支付，请稍后再试。")


class CheckoutSoldOut(CheckoutError):
    message = _("很抱歉，您购物车中的部分商品已售罄，未发起支付，请调整数量后重试。")

    def __init__(self, product_title: str = ""):
        self.product_title = product_title
        super().__init__(product_title)


class PaymentUnavailable(CheckoutError):
    pass


class CheckoutPriceInvalid(CheckoutError):
    message = _("购物车中有价格无效的商品，未发起支付，请联系平台客服。")


def _expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(minutes=settings.STOCK_RESERVATION_MINUTES)


def payment_start(
    *,
    basket,
    user,
    order_number: str,
    amount: Decimal,
    shipping_address: dict,
    shipping_method_code: str,
    sales_channel=None,
    language: str = "",
) -> PaymentAttempt:
    """Hold the basket's stock, then create its PaymentIntent. A sold-out line raises
    CheckoutSoldOut and no PaymentIntent is created. A pending attempt for the same basket
    and amount is reused (the customer reloaded the payment page). A line priced at zero or
    below, or a total that is not above zero, raises CheckoutPriceInvalid: nothing is held
    and no PaymentIntent created."""
    if not basket_amounts_valid(basket=basket, total=amount):
        raise CheckoutPriceInvalid()
    order_number = str(order_number)
    current = (
        PaymentAttempt.objects.filter(basket=basket, state=State.PENDING)
        .exclude(payment_intent_id=None)
        .order_by("-pk")
        .first()
    )
    if current is not None:
        if current.amount == amount and current.expires_at > timezone.now():
            if sales_channel is not None and current.sales_channel_id != sales_channel.pk:
                current.sales_channel = sales_channel
                current.save(update_fields=["sales_channel", "updated_at"])
            return current
        payment_attempt_abandon(attempt_id=current.pk, state=State.EXPIRED)

    try:
        with transaction.atomic():
            attempt = PaymentAttempt.objects.create(
                basket=basket,
                user=user if user is not None and user.is_authenticated else None,
                order_number=order_number,
                amount=amount,
                shipping_address=shipping_address,
                shipping_method_code=shipping_method_code,
                sales_channel=sales_channel,
                language=language,
                expires_at=_expiry(),
            )
            stock_reserve(attempt=attempt, basket=basket)
    except SoldOut as exc:
        raise CheckoutSoldOut(exc.stockrecord.product.get_title()) from exc

    try:
        intent = gateway.payment_intent_create(
            amount=amount,
            metadata={
                "order_number": order_number,
                "basket_id": str(basket.pk),
                "attempt_id": str(attempt.pk),
            },
            idempotency_key=f"dongxi-pi-{attempt.pk}",
        )
    except gateway.GatewayError as exc:
        logger.exception("PaymentIntent for basket %s not created", basket.pk)
        with transaction.atomic():
            reservations_release(attempt=attempt)
            attempt.state = State.FAILED
            attempt.save(update_fields=["state", "updated_at"])
        raise PaymentUnavailable() from exc
    attempt.payment_intent_id = intent["id"]
    attempt.client_secret = intent["client_secret"] or ""
    attempt.save(update_fields=["payment_intent_id", "client_secret", "updated_at"])
    return attempt


def _order_create(*, attempt: PaymentAttempt):
    def paid_total_check(*, basket, totals):
        if totals.amount != attempt.amount:
            logger.error(
                "Basket %s totals %s but %s was paid (order %s)",
                basket.pk,
                totals.amount,
                attempt.amount,
                attempt.order_number,
            )

    # The units were allocated when the payment started (stock_reserve); the order is
    # placed whatever the total says, since the customer has paid.
    return order_create_from_basket(
        basket=attempt.basket,
        user=attempt.user,
        shipping_address=attempt.shipping_address,
        shipping_method_code=attempt.shipping_method_code,
        order_number=attempt.order_number,
        totals_check=paid_total_check,
        sales_channel_id=attempt.sales_channel_id,
    )


STRIPE_SOURCE_TYPE = "Stripe"


def _payment_record(*, order, attempt: PaymentAttempt):
    return payment_settlement_record(
        order=order,
        amount=attempt.amount,
        reference=attempt.payment_intent_id,
        source_type_name=STRIPE_SOURCE_TYPE,
        source_type_id=attempt.stripe_source_type_id,
        paid_event_type_id=attempt.paid_event_type_id,
        lines=order.placed_lines,
        sender=PaymentAttempt,
        attempt=attempt,
    )


def _intent_matches(*, intent, attempt: PaymentAttempt) -> bool:
    """Whether Stripe's PaymentIntent is the one payment_start created for this attempt:
    same id, amount and currency, and the metadata it was given."""
    intent = intent.to_dict() if hasattr(intent, "to_dict") else intent
    metadata = intent.get("metadata") or {}
    return (
        intent.get("id") == attempt.payment_intent_id
        and intent.get("amount") == gateway.to_fen(attempt.amount)
        and intent.get("currency") == gateway.CURRENCY
        and metadata.get("order_number") == attempt.order_number
        and metadata.get("attempt_id") == str(attempt.pk)
        and metadata.get("basket_id") == str(attempt.basket_id)
    )


@retry_on_serialization_failure
def order_place_for_payment(*, payment_intent_id: str, payment_intent=None, attempt=None):
    """Place the order of a succeeded PaymentIntent, once. Safe to call any number of times
    from the return view and the webhook task: the attempt's row lock serialises them and
    the second finds the order. Returns the order, or None while the payment has not
    succeeded. `payment_intent`, when given, must be Stripe's own answer (just retrieved or
    returned by a call to Stripe), never a request's or a webhook's body: without it the
    PaymentIntent is retrieved here. `attempt`, when given, is the PaymentAttempt of that
    PaymentIntent as the caller just read it (it is read again under lock)."""
    if attempt is None or attempt.payment_intent_id != payment_intent_id:
        attempt = PaymentAttempt.objects.filter(payment_intent_id=payment_intent_id).first()
    if attempt is None:
        logger.warning("No payment attempt for PaymentIntent %s", payment_intent_id)
        return None
    if attempt.order_id is not None:
        return attempt.order
    intent = payment_intent or gateway.payment_intent_retrieve(payment_intent_id)
    if intent["status"] != "succeeded":
        return None
    if not _intent_matches(intent=intent, attempt=attempt):
        logger.error("PaymentIntent %s does not match its attempt", payment_intent_id)
        return None

    with transaction.atomic():
        # The attempt's row only is locked; its customer and basket come with it, and
        # whether the basket holds vouchers (most hold none: placing then asks for none),
        # and the ids of the payment's source and event types (None before the first).
        attempt = (
            PaymentAttempt.objects.select_for_update(of=("self",))
            .select_related("user", "basket")
            .annotate(
                basket_has_vouchers=Exists(
                    Basket.vouchers.through.objects.filter(basket_id=OuterRef("basket_id"))
                ),
                stripe_source_type_id=Subquery(
                    SourceType.objects.filter(name=STRIPE_SOURCE_TYPE).values("pk")[:1]
                ),
                paid_event_type_id=Subquery(
                    PaymentEventType.objects.filter(code=PAID).values("pk")[:1]
                ),
            )
            .get(pk=attempt.pk)
        )
        if attempt.order_id is not None:
            return attempt.order
        if not attempt.basket_has_vouchers:
            basket_vouchers_none(basket=attempt.basket)
        if attempt.state != State.PENDING:
            # Released before the payment was known to succeed: hold the units again.
            # Sold out meanwhile: the order is placed all the same (the customer paid) and
            # staff see the oversold line in the dashboard's low-stock alerts.
            try:
                stock_reserve(attempt=attempt, basket=attempt.basket)
            except SoldOut:
                logger.error("Paid attempt %s could not hold its stock again", attempt.pk)
        order = _order_create(attempt=attempt)
        # The address used is offered at the customer's next checkout.
        address_book_record(user=attempt.user, shipping_address=order.shipping_address)
        reservations_convert(attempt=attempt)
        _payment_record(order=order, attempt=attempt)
        attempt.order = order
        attempt.state = State.SUCCEEDED
        attempt.save(update_fields=["order", "state", "updated_at"])
        order_confirmation_email_task.delay_on_commit(order.pk)
        stripe_refunds_apply_pending(attempt=attempt, order=order)
    return order


@retry_on_serialization_failure
def payment_attempt_abandon(*, attempt_id: int, state: str = State.EXPIRED):
    """A payment that failed or was left: cancel its PaymentIntent (so it can no longer
    succeed), release its stock and give the customer the basket back. If the payment did
    succeed in the meantime, the order is placed instead."""
    attempt = PaymentAttempt.objects.get(pk=attempt_id)
    if attempt.state != State.PENDING:
        return attempt
    payment_intent_id = attempt.payment_intent_id
    if payment_intent_id:
        try:
            intent = gateway.payment_intent_cancel(payment_intent_id)
        except gateway.GatewayError:
            intent = gateway.payment_intent_retrieve(payment_intent_id)
        if intent["status"] == "succeeded":
            order_place_for_payment(payment_intent_id=payment_intent_id, payment_intent=intent)
            return PaymentAttempt.objects.get(pk=attempt_id)
        if intent["status"] == "processing":
            return attempt  # Stripe will report success or failure.
    with transaction.atomic():
        attempt = PaymentAttempt.objects.select_for_update().get(pk=attempt_id)
        if attempt.state != State.PENDING or attempt.payment_intent_id != payment_intent_id:
            # Settled meanwhile, or the attempt moved on to a new PaymentIntent (another card
            # after a decline): the intent cancelled above is no longer the one it answers for.
            return attempt
        reservations_release(attempt=attempt)
        attempt.state = state
        attempt.save(update_fields=["state", "updated_at"])
        basket_give_back(basket=attempt.basket)
    return attempt


def basket_give_back(*, basket) -> None:
    """The basket frozen for a payment is the customer's open basket again. While it was
    frozen the store gave them a fresh one, perhaps with new items: those are merged into it
    (a product in both keeps the larger quantity), so the customer finds one basket with
    everything and the store no longer has to merge baskets on the next page."""
    with transaction.atomic():
        if basket.status == Basket.FROZEN:
            basket.thaw()
        if basket.status != Basket.OPEN or basket.owner_id is None:
            return
        # Never a basket that another payment still waits on.
        others = (
            Basket.open.filter(owner_id=basket.owner_id)
            .exclude(pk=basket.pk)
            .exclude(payment_attempts__state=State.PENDING)
        )
        for other in others.order_by("pk").select_for_update():
            basket.merge(other, add_quantities=False)


def payment_attempt_intent_renew(*, attempt_id: int) -> PaymentAttempt:
    """A fresh PaymentIntent for a pending attempt whose intent cannot take another payment
    method. Stripe confirms an intent again with another card after a decline (it waits in
    requires_payment_method), and Stripe.js does so on the pay page; localstripe keeps the
    declined charge on its intent and refuses every later confirmation, so the demo's card
    payments (localstripe_cards) move the attempt to a new intent instead.

    The old intent is cancelled at Stripe before it is let go, so it can never succeed
    unnoticed: if Stripe reports it succeeded (or still processing), the order is placed (or
    the attempt kept) instead. Stripe is called outside row locks; the attempt takes the new
    intent only if it is still pending on the old one (else the new intent is cancelled).
    Returns the attempt as it now is."""
    attempt = PaymentAttempt.objects.get(pk=attempt_id)
    old_intent_id = attempt.payment_intent_id
    if attempt.state != State.PENDING or not old_intent_id:
        return attempt
    try:
        intent = gateway.payment_intent_cancel(old_intent_id)
    except gateway.GatewayError:
        intent = gateway.payment_intent_retrieve(old_intent_id)
    if intent["status"] == "succeeded":
        order_place_for_payment(payment_intent_id=old_intent_id, payment_intent=intent)
        return PaymentAttempt.objects.get(pk=attempt_id)
    if intent["status"] != "canceled":
        return attempt
    new_intent = gateway.payment_intent_create(
        amount=attempt.amount,
        metadata={
            "order_number": attempt.order_number,
            "basket_id": str(attempt.basket_id),
            "attempt_id": str(attempt.pk),
        },
        idempotency_key=f"dongxi-pi-{attempt.pk}-after-{old_intent_id}",
    )
    moved = PaymentAttempt.objects.filter(
        pk=attempt.pk, payment_intent_id=old_intent_id, state=State.PENDING
    ).update(
        payment_intent_id=new_intent["id"],
        client_secret=new_intent["client_secret"] or "",
        updated_at=timezone.now(),
    )
    if not moved:
        logger.warning("Attempt %s settled while its intent was renewed", attempt.pk)
        try:
            gateway.payment_intent_cancel(new_intent["id"])
        except gateway.GatewayError:
            logger.exception("Unused PaymentIntent %s not cancelled", new_intent["id"])
    return PaymentAttempt.objects.get(pk=attempt_id)


def reservations_release_expired(*, now: datetime.datetime | None = None) -> int:
    """Abandon every pending attempt whose stock hold has run out; returns how many."""
    now = now or timezone.now()
    expired = PaymentAttempt.objects.filter(state=State.PENDING, expires_at__lte=now)
    count = 0
    for attempt_id in expired.values_list("pk", flat=True):
        attempt = payment_attempt_abandon(attempt_id=attempt_id, state=State.EXPIRED)
        count += attempt.state == State.EXPIRED
    return count
