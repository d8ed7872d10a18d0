"""Platform staff refund a whole order or chosen lines from Oscar's dashboard order page;
refusals become messages and change nothing. Cooperatives do not refund: the platform
took the payment and pays it back."""

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from tests.store_factories import cooperative_staff_create

PaymentEvent = get_model("order", "PaymentEvent")

pytestmark = pytest.mark.django_db


def _url(order):
    return reverse("dashboard:order-detail", kwargs={"number": order.number})


def _refund_lines(client, order, quantities):
    data = {"line_action": "stripe_refund_lines", "selected_line": [line.pk for line in quantities]}
    data.update({f"selected_line_qty_{line.pk}": qty for line, qty in quantities.items()})
    return client.post(_url(order), data)


def _refunds(order):
    return PaymentEvent.objects.filter(order=order, event_type__code="refund")


def test_staff_see_the_refund_forms(client, staff, paid_order):
    client.force_login(staff)

    page = client.get(_url(paid_order)).content.decode()

    assert "退款所选商品" in page and "整单退款" in page


def test_cooperative_staff_see_no_refund_forms(client, paid_order, two_cooperatives):
    tea, _honey = two_cooperatives
    client.force_login(cooperative_staff_create(cooperative=tea.cooperative))

    page = client.get(_url(paid_order)).content.decode()

    assert "退款所选商品" not in page and "整单退款" not in page
    assert "发货" in page


def test_staff_refund_chosen_units_of_a_line(client, staff, paid_order, stripe_fake):
    tea_line = paid_order.lines.get(title="凉山苦荞茶")
    client.force_login(staff)

    response = _refund_lines(client, paid_order, {tea_line: 1})

    (event,) = _refunds(paid_order)
    assert str(event.amount) == "38.00"
    assert [(q.line, q.quantity) for q in event.line_quantities.all()] == [(tea_line, 1)]
    page = client.get(response.url).content.decode()
    assert "已退款 ¥38.00" in page


def test_staff_refund_the_rest_of_the_order(client, staff, paid_order, stripe_fake):
    tea_line = paid_order.lines.get(title="凉山苦荞茶")
    client.force_login(staff)
    _refund_lines(client, paid_order, {tea_line: 1})

    client.post(_url(paid_order), {"order_action": "stripe_refund_order"})

    amounts = sorted(str(e.amount) for e in _refunds(paid_order))
    assert amounts == ["104.50", "38.00"]
    assert paid_order.sources.get().amount_refunded == paid_order.total_incl_tax


def test_refunding_more_than_is_left_is_refused_with_a_message(
    client, staff, paid_order, stripe_fake
):
    tea_line = paid_order.lines.get(title="凉山苦荞茶")
    client.force_login(staff)
    _refund_lines(client, paid_order, {tea_line: 2})

    response = _refund_lines(client, paid_order, {tea_line: 1})

    assert _refunds(paid_order).count() == 1
    assert "退款数量超过可退数量" in client.get(response.url).content.decode()


def test_a_stripe_failure_becomes_a_message(client, staff, paid_order, stripe_fake):
    # Stripe no longer knows the PaymentIntent: the refund is refused there
    stripe_fake.intents.clear()
    client.force_login(staff)

    response = client.post(_url(paid_order), {"order_action": "stripe_refund_order"})

    assert not _refunds(paid_order).exists()
    assert "支付渠道退款失败" in client.get(response.url).content.decode()


def test_oscars_manual_payment_events_are_not_offered(client, staff, paid_order):
    client.force_login(staff)

    response = client.post(
        _url(paid_order),
        {
            "order_action": "create_order_payment_event",
            "amount": "10",
            "payment_event_type": "paid",
        },
    )

    assert response.status_code == 302
    assert PaymentEvent.objects.filter(order=paid_order).count() == 1  # the card payment
