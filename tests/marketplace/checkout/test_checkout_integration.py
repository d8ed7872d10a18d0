"""The whole path against a running localstripe: browse → basket with lines of two
cooperatives → checkout → pay → webhook → order placed once → each cooperative ships →
refund of one line."""

import pytest
from django.core import mail
from django.urls import reverse
from oscar.core.loading import get_model

from marketplace.payment import gateway
from tests.marketplace.checkout.addresses import CHINESE_ADDRESS
from tests.store_factories import cooperative_staff_create

from .conftest import event, webhook_post

Order = get_model("order", "Order")
Shipment = get_model("order", "Shipment")
PaymentAttempt = get_model("payment", "PaymentAttempt")
PaymentEvent = get_model("order", "PaymentEvent")
StockRecord = get_model("partner", "StockRecord")

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

VISA = {"number": "4242424242424242", "exp_month": "12", "exp_year": "2030", "cvc": "123"}


def test_browse_to_refund_against_localstripe(
    client, localstripe, customer, staff, two_cooperatives, django_capture_on_commit_callbacks
):
    tea, honey = two_cooperatives
    client.force_login(customer)

    # Browse and fill the basket with products of two cooperatives
    assert client.get(tea.get_absolute_url()).status_code == 200
    client.post(reverse("basket:add", kwargs={"pk": tea.pk}), {"quantity": 2})
    client.post(reverse("basket:add", kwargs={"pk": honey.pk}), {"quantity": 1})

    # Checkout: a Chinese address, the shipping method, the preview, then "pay"
    response = client.get(reverse("checkout:index"), follow=True)
    assert response.resolver_match.url_name == "shipping-address"
    response = client.post(reverse("checkout:shipping-address"), CHINESE_ADDRESS, follow=True)
    assert response.resolver_match.url_name == "preview", response.context.get("form").errors
    response = client.post(reverse("checkout:preview"), {"action": "place_order"})
    assert response.status_code == 302 and response.url == reverse("checkout:stripe-pay")

    # The pay page loads Stripe.js (localstripe's stand-in) with the PaymentIntent's secret
    attempt = PaymentAttempt.objects.get()
    page = client.get(response.url).content.decode()
    assert f"{localstripe}/js.stripe.com/v3/" in page
    assert attempt.client_secret in page
    assert "支付宝" not in page  # Alipay is off unless configured
    assert StockRecord.objects.get(product=tea).num_allocated == 2

    # Pay with localstripe's test card, as the pay page's script does on the demo
    paid = client.post(
        reverse("checkout:stripe-test-card"),
        {"card": VISA},
        content_type="application/json",
    )
    assert paid.json() == {"id": attempt.payment_intent_id, "status": "succeeded"}
    intent = gateway.payment_intent_retrieve(attempt.payment_intent_id)
    assert intent["amount"] == 14250 and intent["currency"] == "cny"

    # Stripe's webhook and the customer's return: one order
    with django_capture_on_commit_callbacks(execute=True):
        webhook_post(client, event("evt_paid", "payment_intent.succeeded", intent.to_dict()))
    returned = client.get(
        reverse("checkout:stripe-return") + f"?payment_intent={attempt.payment_intent_id}"
    )
    assert returned.url == reverse("checkout:thank-you")
    assert Order.objects.count() == 1
    order = Order.objects.get()
    assert order.shipping_address.state == "浙江省"
    assert str(order.shipping_address.phone_number) == "+8613800138000"
    assert {line.cooperative_id for line in order.lines.all()} == {
        tea.cooperative_id,
        honey.cooperative_id,
    }
    (confirmation,) = mail.outbox
    assert confirmation.to == [customer.email] and order.number in confirmation.subject

    # Each cooperative ships its own lines from the dashboard; the customer is told each time
    for product, tracking in ((tea, "SF1001"), (honey, "YT2002")):
        client.force_login(cooperative_staff_create(cooperative=product.cooperative))
        with django_capture_on_commit_callbacks(execute=True):
            client.post(
                reverse("dashboard:order-detail", kwargs={"number": order.number}),
                {
                    "order_action": "ship_cooperative",
                    "cooperative": product.cooperative_id,
                    "carrier": "顺丰速运",
                    "tracking_number": tracking,
                },
            )
    assert sorted(Shipment.objects.filter(order=order).values_list("state", flat=True)) == [
        "shipped",
        "shipped",
    ]
    shipping_emails = mail.outbox[1:]
    assert [("SF1001" in m.body, "YT2002" in m.body) for m in shipping_emails] == [
        (True, False),
        (False, True),
    ]
    client.force_login(customer)
    page = client.get(reverse("customer:order", kwargs={"order_number": order.number}))
    assert "SF1001" in page.content.decode() and "YT2002" in page.content.decode()

    # Staff refund one tea from the dashboard; localstripe holds the refund
    tea_line = order.lines.get(product=tea)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("dashboard:order-detail", kwargs={"number": order.number}),
            {
                "line_action": "stripe_refund_lines",
                "selected_line": [tea_line.pk],
                f"selected_line_qty_{tea_line.pk}": 1,
            },
        )
    assert response.status_code == 302
    (refund,) = gateway.refund_list(payment_intent_id=attempt.payment_intent_id)
    assert refund["amount"] == 3800
    assert refund["metadata"]["order_number"] == order.number

    # Stripe reports the refund too: nothing changes a second time
    with django_capture_on_commit_callbacks(execute=True):
        webhook_post(client, event("evt_refund", "refund.created", refund))
    assert PaymentEvent.objects.filter(order=order, event_type__code="refund").count() == 1
    assert order.sources.get().amount_refunded == 38
