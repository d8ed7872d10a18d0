import json
import logging
import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import DatabaseError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView
from oscar.apps.checkout import views
from oscar.core.loading import get_class, get_model

from marketplace.order.placement import address_as_dict
from marketplace.order.selectors import sales_channel_active
from marketplace.payment import gateway
from marketplace.payment.services import (
    CardRefused,
    CheckoutError,
    order_place_for_payment,
    payment_attempt_abandon,
    payment_attempt_confirm_with_test_card,
    payment_start,
    webhook_event_receive,
)
from marketplace.payment.services.localstripe_cards import PaymentServiceUnavailable

from .recovery import SESSION_ATTEMPT, session_attempt_settle

logger = logging.getLogger(__name__)

Order = get_model("order", "Order")
OrderLine = get_model("order", "Line")
PaymentAttempt = get_model("payment", "PaymentAttempt")
UserAddress = get_model("address", "UserAddress")
CheckoutSessionData = get_class("checkout.utils", "CheckoutSessionData")
Repository = get_class("shipping.repository", "Repository")

SESSION_CHANNEL = "sales_channel_code"


class IndexView(views.IndexView):
    """Checkout's first step only sends a signed-in customer on to the shipping address,
    which checks the basket itself: checking it here too loaded it twice."""

    def get_pre_conditions(self, request):
        if request.user.is_authenticated:
            return []
        return super().get_pre_conditions(request)


class BasketLineImagesMixin:
    """The basket middleware loads what a checkout step reads of every basket line at once
    (basket_lines_load); a step whose page shows no line says so first, and its lines come
    without their images."""

    def shows_lines(self, request) -> bool:
        return True

    def dispatch(self, request, *args, **kwargs):
        request.basket_line_images = self.shows_lines(request)
        return super().dispatch(request, *args, **kwargs)


class ShippingAddressView(BasketLineImagesMixin, views.ShippingAddressView):
    """The addresses of earlier orders are offered first (the default, then the most used);
    an address that is not the customer's is not found (Oscar's own view fails with a server
    error). With one shipping method (the store's: free shipping) the address goes straight
    to the preview: Oscar's shipping method and payment method steps would only choose it
    and redirect, a request each that loads and checks the basket again."""

    def shows_lines(self, request) -> bool:
        return False  # the address form only

    def get_success_url(self):
        basket = self.request.basket
        methods = Repository().get_shipping_methods(
            basket=basket,
            user=self.request.user,
            shipping_addr=self.get_shipping_address(basket),
            request=self.request,
        )
        if len(methods) == 1:
            self.checkout_session.use_shipping_method(methods[0].code)
            return reverse("checkout:preview")
        return super().get_success_url()

    def get_available_addresses(self):
        return (
            super()
            .get_available_addresses()
            .order_by("-is_default_for_shipping", "-num_orders_as_shipping_address", "-pk")
        )

    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated and "address_id" in request.POST:
            address_id = request.POST["address_id"]
            if not (
                address_id.isdigit()
                and self.get_available_addresses().filter(pk=int(address_id)).exists()
            ):
                raise Http404
        return super().post(request, *args, **kwargs)


class UserAddressUpdateView(views.UserAddressUpdateView):
    # The address book's address, edited from checkout, in the shipping address's layout.
    form_class = get_class("checkout.forms", "UserAddressForm")


class PaymentDetailsView(BasketLineImagesMixin, views.PaymentDetailsView):
    def shows_lines(self, request) -> bool:
        return request.method == "GET"  # placing the order redirects

    def get(self, request, *args, **kwargs):
        # Nothing to collect before the preview: Stripe.js takes the card on the pay page.
        if not self.preview:
            return redirect("checkout:preview")
        return super().get(request, *args, **kwargs)

    def submit(
        self,
        user,
        basket,
        shipping_address,
        shipping_method,
        shipping_charge,
        billing_address,
        order_total,
        payment_kwargs=None,
        order_kwargs=None,
        surcharges=None,
    ):
        # Oscar takes the payment and places the order in this one request; here the
        # customer confirms the payment in the browser (Stripe.js), so this only holds the
        # stock and creates the PaymentIntent. The order is placed when the payment succeeds.
        order_number = self.generate_order_number(basket)
        self.checkout_session.set_order_number(order_number)
        try:
            attempt = payment_start(
                basket=basket,
                user=user,
                order_number=order_number,
                amount=order_total.incl_tax,
                shipping_address=address_as_dict(shipping_address),
                shipping_method_code=shipping_method.code,
                sales_channel=sales_channel_active(
                    code=self.request.session.get(SESSION_CHANNEL, "")
                ),
                language=translation.get_language() or "",
            )
        except CheckoutError as exc:
            messages.error(self.request, exc.message)
            return redirect("basket:summary")
        self.checkout_session.set_submitted_basket(basket)
        self.freeze_basket(basket)
        self.request.session[SESSION_ATTEMPT] = attempt.pk
        return redirect("checkout:stripe-pay")


class ThankYouView(views.ThankYouView):
    """Oscar's confirmation page. Oscar marks the order as reported to Google Analytics the
    first time it is shown; the store's layout has no tracking block and reports nothing,
    so the order is not written again for it."""

    def get_object(self, queryset=None):
        # Oscar's lookup (a superuser may name the order), with what the page reads of the
        # order loaded with it: address, customer, lines and their products, payment, fees,
        # discounts (Order answers its discount properties from them).
        orders = Order._default_manager.select_related("shipping_address", "user")
        # The lines come with their products in one query.
        lines = Prefetch("lines", queryset=OrderLine._default_manager.select_related("product"))
        orders = orders.prefetch_related(lines, "sources", "surcharges", "discounts")
        order = None
        if self.request.user.is_superuser:
            lookup = {}
            if "order_number" in self.request.GET:
                lookup["number"] = self.request.GET["order_number"]
            elif "order_id" in self.request.GET:
                lookup["id"] = self.request.GET["order_id"]
            if lookup:
                order = orders.filter(**lookup).first()
        if not order and "checkout_order_id" in self.request.session:
            order = orders.filter(pk=self.request.session["checkout_order_id"]).first()
        return order

    def get_context_data(self, *args, **kwargs):
        context = super(views.ThankYouView, self).get_context_data(*args, **kwargs)
        context["send_analytics_event"] = False
        return context


class ChannelEnterView(View):
    """A campaign zone's link into the store: the channel is remembered in the session and
    recorded on the payment attempt, so the order counts for the eastern partner even when
    Stripe's webhook places it without a session."""

    http_method_names = ["get"]

    def get(self, request, code):
        channel = sales_channel_active(code=code)
        if channel is None:
            raise Http404
        request.session[SESSION_CHANNEL] = channel.code
        target = request.GET.get("next", "")
        safe = url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        return redirect(target if safe else reverse("catalogue:index"))


def _session_attempt(request) -> PaymentAttempt:
    attempt = PaymentAttempt.objects.filter(
        pk=request.session.get(SESSION_ATTEMPT), user=request.user
    ).first()
    if attempt is None:
        raise Http404
    return attempt


class StripePaymentView(LoginRequiredMixin, TemplateView):
    """The pay page: Stripe.js confirms the PaymentIntent in the browser."""

    template_name = "checkout/stripe_payment.html"

    def get(self, request, *args, **kwargs):
        attempt = _session_attempt(request)
        if attempt.order_id is not None:
            return redirect("checkout:thank-you")
        if attempt.state != PaymentAttempt.State.PENDING or attempt.expires_at <= timezone.now():
            # Over: the basket goes back to the customer, with a message saying why.
            session_attempt_settle(request, leaving=False)
            return redirect("basket:summary")
        return super().get(request, *args, attempt=attempt, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        seconds_left = max((context["attempt"].expires_at - timezone.now()).total_seconds(), 0)
        context.update(
            # Whole minutes rounded up: a live hold never reads "0 minutes"; the page counts
            # down from the seconds and says when the hold has run out.
            hold_seconds=math.ceil(seconds_left),  # the page never ends it before the store
            hold_minutes=max(math.ceil(seconds_left / 60), 1),
            stripe_js_url=settings.STRIPE_JS_URL,
            stripe_publishable_key=settings.STRIPE_PUBLISHABLE_KEY,
            alipay_enabled=settings.STRIPE_ALIPAY_ENABLED,
            wechat_pay_enabled=settings.STRIPE_WECHAT_PAY_ENABLED,
            return_url=self.request.build_absolute_uri(reverse("checkout:stripe-return")),
            status_url=reverse("checkout:stripe-status"),
            test_card_confirm_url=(
                reverse("checkout:stripe-test-card") if settings.STRIPE_LOCALSTRIPE else ""
            ),
        )
        return context


class StripeTestCardView(LoginRequiredMixin, View):
    """The demo's card payment on localstripe (see payment.services.test_cards): only the
    customer's own pending attempt, only while settings.STRIPE_LOCALSTRIPE is on."""

    http_method_names = ["post"]

    def post(self, request):
        if not settings.STRIPE_LOCALSTRIPE:
            raise Http404
        attempt = _session_attempt(request)
        try:
            card = json.loads(request.body or b"{}").get("card")
        except (ValueError, AttributeError):
            card = None
        try:
            intent = payment_attempt_confirm_with_test_card(attempt=attempt, card=card)
        except CardRefused as refused:
            return JsonResponse({"error": {"message": str(refused.message)}}, status=400)
        except PaymentServiceUnavailable as unavailable:
            return JsonResponse({"error": {"message": str(unavailable.message)}}, status=503)
        return JsonResponse(intent)


class StripeStatusView(LoginRequiredMixin, View):
    """Where the pay page asks, while the customer scans the WeChat Pay QR code, whether the
    payment is still waiting for them: the status of the customer's own pending attempt's
    PaymentIntent, as Stripe reports it. It places nothing; once the intent has left
    requires_action the page goes to the return view, which reads the intent from Stripe and
    places the order."""

    http_method_names = ["get"]

    def get(self, request):
        attempt = _session_attempt(request)
        if attempt.order_id is not None:
            status = "succeeded"
        else:
            try:
                status = gateway.payment_intent_retrieve(attempt.payment_intent_id)["status"]
            except gateway.GatewayError:
                logger.warning("PaymentIntent of attempt %s not read", attempt.pk, exc_info=True)
                status = "unknown"  # the page asks again
        response = JsonResponse({"status": status, "payment_intent": attempt.payment_intent_id})
        add_never_cache_headers(response)
        return response


# A PaymentIntent in these states can still be paid with another card or method.
AWAITING_ANOTHER_TRY = ("requires_payment_method", "requires_action", "requires_confirmation")


class StripeReturnView(LoginRequiredMixin, View):
    """Where Stripe.js sends the customer back. Places the order through the same service
    as the webhook, so whichever arrives first places it and the other finds it.

    A payment Stripe may have taken never ends in a server error here: when Stripe cannot be
    asked or the order cannot be written yet (Stripe slow, the database busy), the customer
    gets a page saying the order is being confirmed, which comes back here by itself; the
    next visit, or the webhook, places the order (once: the service is idempotent)."""

    confirming_template = "checkout/stripe_confirming.html"
    # The confirming page reloads itself this often, this many times, then waits for a click.
    confirming_refresh_seconds = 3
    confirming_refreshes = 20

    def get(self, request):
        payment_intent_id = request.GET.get("payment_intent", "")
        attempt = PaymentAttempt.objects.filter(
            payment_intent_id=payment_intent_id, user=request.user
        ).first()
        if attempt is None:
            raise Http404
        if attempt.order_id is not None:  # placed meanwhile (the webhook, an earlier visit)
            return self._thank_you(request, attempt.order_id)
        try:
            intent = gateway.payment_intent_retrieve(payment_intent_id)
            order = order_place_for_payment(
                payment_intent_id=payment_intent_id, payment_intent=intent, attempt=attempt
            )
        except (gateway.GatewayError, DatabaseError):
            logger.warning(
                "Order of PaymentIntent %s not placed on return", payment_intent_id, exc_info=True
            )
            return self._confirming(request, payment_intent_id)
        if order is not None:
            return self._thank_you(request, order.pk)
        if intent["status"] == "processing":
            messages.info(request, _("支付处理中，确认到账后将自动生成订单。"))
            return redirect("customer:order-list")
        if (
            intent["status"] in AWAITING_ANOTHER_TRY
            and attempt.state == PaymentAttempt.State.PENDING
            and attempt.expires_at > timezone.now()
        ):
            # Declined, or the customer turned back at their bank or wallet: the same order
            # still takes another card or method while its stock is held.
            request.session[SESSION_ATTEMPT] = attempt.pk
            messages.error(request, _("支付未成功，请换一种支付方式或换一张卡再试。"))
            return redirect("checkout:stripe-pay")
        try:
            payment_attempt_abandon(attempt_id=attempt.pk, state=PaymentAttempt.State.FAILED)
        except (gateway.GatewayError, DatabaseError):
            logger.warning(
                "Failed PaymentIntent %s not abandoned", payment_intent_id, exc_info=True
            )
            return self._confirming(request, payment_intent_id)
        messages.error(request, _("支付未成功，商品已放回购物车，请重新下单。"))
        return redirect("basket:summary")

    def _thank_you(self, request, order_id: int):
        request.session.pop(SESSION_ATTEMPT, None)
        # As Oscar does after an order: the next checkout starts afresh, from the address
        # book (which now holds this order's address) rather than this order's form.
        CheckoutSessionData(request).flush()
        request.session["checkout_order_id"] = order_id
        return redirect("checkout:thank-you")

    def _confirming(self, request, payment_intent_id: str):
        try:
            visit = max(int(request.GET.get("visit", "0")), 0) + 1
        except ValueError:
            visit = 1
        again = f"{reverse('checkout:stripe-return')}?" + urlencode(
            {"payment_intent": payment_intent_id, "visit": visit}
        )
        response = render(
            request,
            self.confirming_template,
            {
                "again_url": again,
                "refresh_seconds": (
                    self.confirming_refresh_seconds if visit <= self.confirming_refreshes else None
                ),
            },
        )
        add_never_cache_headers(response)
        return response


@method_decorator(csrf_exempt, name="dispatch")
class StripeWebhookView(View):
    """Stripe's webhook: verified with the signing secret, stored once by event id, then
    processed in a Celery task enqueued on commit."""

    http_method_names = ["post"]

    def post(self, request):
        try:
            event = gateway.webhook_event_construct(
                payload=request.body, sig_header=request.headers.get("Stripe-Signature", "")
            )
        except gateway.SignatureError:
            logger.warning("Stripe webhook with a bad signature refused")
            return HttpResponseBadRequest("invalid signature")
        except ValueError as exc:  # EventMalformed, or a body that is not JSON
            logger.warning("Signed Stripe webhook with a malformed event refused: %s", exc)
            return HttpResponseBadRequest("malformed event")
        webhook_event_receive(event=event)
        return HttpResponse(status=200)
