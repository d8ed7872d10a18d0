"""Each cooperative ships its own lines of an order; the customer sees every cooperative's
shipment and gets an email when one ships."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from oscar.core.loading import get_model

from marketplace.order.services import ShipmentError, shipment_create, shipment_deliver
from marketplace.payment.services import order_refund
from tests.factories import UserFactory
from tests.store_factories import cooperative_staff_create

Shipment = get_model("order", "Shipment")
ShippingEvent = get_model("order", "ShippingEvent")

pytestmark = pytest.mark.django_db


def _ship(client, order, cooperative, carrier="顺丰速运", tracking="SF1234567890"):
    return client.post(
        reverse("dashboard:order-detail", kwargs={"number": order.number}),
        {
            "order_action": "ship_cooperative",
            "cooperative": cooperative.pk,
            "carrier": carrier,
            "tracking_number": tracking,
        },
    )


def test_cooperative_ships_its_own_lines_and_the_customer_is_emailed(
    client, paid_order, two_cooperatives, django_capture_on_commit_callbacks
):
    # Given the tea cooperative's staff on the order's dashboard page
    tea, _honey = two_cooperatives
    client.force_login(cooperative_staff_create(cooperative=tea.cooperative))

    # When they ship with a carrier and a tracking number
    with django_capture_on_commit_callbacks(execute=True):
        response = _ship(client, paid_order, tea.cooperative)

    # Then the tea lines are shipped, the honey is still pending, the customer is told
    assert response.status_code == 302
    shipment = Shipment.objects.get()
    assert (shipment.cooperative, shipment.state) == (tea.cooperative, "shipped")
    assert shipment.tracking_number == "SF1234567890"
    quantities = {q.line.product: q.quantity for q in shipment.shipping_event.line_quantities.all()}
    assert quantities == {tea: 2}
    (email,) = mail.outbox
    assert email.to == [paid_order.email]
    assert "已发货" in email.subject
    assert "顺丰速运" in email.body and "SF1234567890" in email.body
    assert "凉山苦荞茶" in email.body and "昭觉蜂蜜" not in email.body


def test_cooperative_cannot_ship_another_cooperatives_lines(client, paid_order, two_cooperatives):
    tea, honey = two_cooperatives
    client.force_login(cooperative_staff_create(cooperative=tea.cooperative))

    response = _ship(client, paid_order, honey.cooperative)

    assert response.status_code == 403
    assert not Shipment.objects.exists()
    assert not ShippingEvent.objects.exists()


@pytest.mark.parametrize("cooperative", ["²", "１"])
def test_shipping_for_a_non_ascii_cooperative_number_is_not_found(
    client, paid_order, two_cooperatives, staff, cooperative
):
    client.force_login(staff)

    response = client.post(
        reverse("dashboard:order-detail", kwargs={"number": paid_order.number}),
        {"order_action": "ship_cooperative", "cooperative": cooperative, "carrier": "顺丰速运"},
    )

    assert response.status_code == 404
    assert not Shipment.objects.exists()


def test_cooperative_cannot_use_platform_actions(client, paid_order, two_cooperatives):
    tea, _honey = two_cooperatives
    client.force_login(cooperative_staff_create(cooperative=tea.cooperative))
    url = reverse("dashboard:order-detail", kwargs={"number": paid_order.number})

    refund = client.post(url, {"order_action": "stripe_refund_order"})
    line = paid_order.lines.get(product=tea)
    line_action = client.post(
        url,
        {
            "line_action": "stripe_refund_lines",
            "selected_line": [line.pk],
            f"selected_line_qty_{line.pk}": 1,
        },
    )

    assert refund.status_code == 403 and line_action.status_code == 403
    assert not paid_order.payment_events.filter(event_type__code="refund").exists()


def test_shipping_without_a_tracking_number_is_refused(client, paid_order, two_cooperatives):
    tea, _honey = two_cooperatives
    client.force_login(cooperative_staff_create(cooperative=tea.cooperative))

    response = _ship(client, paid_order, tea.cooperative, tracking="  ")

    assert response.status_code == 302
    assert not Shipment.objects.exists()
    page = client.get(response.url).content.decode()
    assert "请填写快递公司和快递单号" in page


def test_a_cooperative_ships_once(paid_order, two_cooperatives):
    tea, _honey = two_cooperatives
    staff = cooperative_staff_create(cooperative=tea.cooperative)
    shipment_create(
        order=paid_order,
        cooperative=tea.cooperative,
        carrier="EMS",
        tracking_number="E1",
        actor=staff,
    )

    with pytest.raises(ShipmentError):
        shipment_create(
            order=paid_order,
            cooperative=tea.cooperative,
            carrier="EMS",
            tracking_number="E2",
            actor=staff,
        )

    assert Shipment.objects.get().tracking_number == "E1"
    assert ShippingEvent.objects.count() == 1


def test_refunded_units_are_not_shipped(paid_order, two_cooperatives, staff):
    # Given one of the two teas refunded before shipping
    tea, _honey = two_cooperatives
    tea_line = paid_order.lines.get(product=tea)
    order_refund(order=paid_order, lines_quantities={tea_line: 1}, actor=staff)

    # When the tea cooperative ships
    shipment = shipment_create(
        order=paid_order,
        cooperative=tea.cooperative,
        carrier="EMS",
        tracking_number="E1",
        actor=cooperative_staff_create(cooperative=tea.cooperative),
    )

    # Then only the unit still paid for is in the parcel
    (quantity,) = shipment.shipping_event.line_quantities.all()
    assert quantity.quantity == 1


def test_unrelated_user_cannot_ship(paid_order, two_cooperatives):
    tea, _honey = two_cooperatives

    with pytest.raises(PermissionDenied):
        shipment_create(
            order=paid_order,
            cooperative=tea.cooperative,
            carrier="EMS",
            tracking_number="E1",
            actor=UserFactory(),
        )


def test_shipped_parcel_can_be_confirmed_delivered(paid_order, two_cooperatives):
    tea, _honey = two_cooperatives
    staff = cooperative_staff_create(cooperative=tea.cooperative)
    shipment = shipment_create(
        order=paid_order,
        cooperative=tea.cooperative,
        carrier="EMS",
        tracking_number="E1",
        actor=staff,
    )

    delivered = shipment_deliver(shipment=shipment, actor=staff)

    assert delivered.state == "delivered" and delivered.delivered_at is not None
    with pytest.raises(ShipmentError):
        shipment_deliver(shipment=delivered, actor=staff)


def test_customer_sees_each_cooperatives_shipment(client, paid_order, two_cooperatives, customer):
    # Given the tea cooperative has shipped and the honey cooperative has not
    tea, honey = two_cooperatives
    shipment_create(
        order=paid_order,
        cooperative=tea.cooperative,
        carrier="顺丰速运",
        tracking_number="SF1234567890",
        actor=cooperative_staff_create(cooperative=tea.cooperative),
    )
    client.force_login(customer)

    # When the customer opens the order
    response = client.get(reverse("customer:order", kwargs={"order_number": paid_order.number}))

    # Then each cooperative shows its own state, carrier and tracking number
    groups = {g.cooperative: g for g in response.context["cooperative_shipments"]}
    assert groups[tea.cooperative].shipment.state == "shipped"
    assert groups[honey.cooperative].shipment.state == "pending"
    page = response.content.decode()
    assert "顺丰速运" in page and "SF1234567890" in page
    assert "已发货" in page and "待发货" in page


def test_another_customer_cannot_open_the_order(client, paid_order):
    client.force_login(UserFactory())

    response = client.get(reverse("customer:order", kwargs={"order_number": paid_order.number}))

    assert response.status_code == 404


def test_unpaid_order_is_not_shipped(unpaid_order, two_cooperatives, staff):
    tea, _honey = two_cooperatives

    with pytest.raises(ShipmentError):
        shipment_create(
            order=unpaid_order,
            cooperative=tea.cooperative,
            carrier="EMS",
            tracking_number="E1",
            actor=staff,
        )

    assert not Shipment.objects.exists()
