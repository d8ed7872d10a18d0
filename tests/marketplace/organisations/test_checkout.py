"""Buying for an organisation: placed and allocated without card payment up to the approval
threshold; above it, an approver (not the buyer) approves before the order is placed."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import (
    BenefitFactory,
    ConditionalOfferFactory,
    ConditionFactory,
    RangeFactory,
)

from marketplace.organisations.models import Membership, PurchaseRequest
from marketplace.organisations.services import (
    ApprovalError,
    OrganisationCheckoutError,
    organisation_checkout_submit,
    purchase_request_approve,
    purchase_request_reject,
)
from tests.factories import PASSWORD, OrganisationFactory, UserFactory

from .builders import ADDRESS, basket_with, member, tea_and_honey

pytestmark = pytest.mark.django_db

Order = get_model("order", "Order")
Basket = get_model("basket", "Basket")
PaymentEvent = get_model("order", "PaymentEvent")


@pytest.fixture
def threshold(settings):
    settings.ORGANISATION_APPROVAL_THRESHOLD = Decimal("200.00")
    return settings.ORGANISATION_APPROVAL_THRESHOLD


def submit(organisation, buyer, lines):
    return organisation_checkout_submit(
        basket=basket_with(buyer, lines),
        user=buyer,
        organisation=organisation,
        shipping_address=ADDRESS,
        shipping_method_code="free-shipping",
    )


def test_order_up_to_the_threshold_is_placed_for_the_organisation_without_payment(threshold):
    organisation = OrganisationFactory()
    buyer = member(organisation)
    tea, honey = tea_and_honey()

    order = submit(organisation, buyer, [(tea, 2), (honey, 1)])  # ¥142.50

    assert isinstance(order, Order)
    assert order.organisation == organisation
    assert order.total_incl_tax == Decimal("142.50")
    assert not PaymentEvent.objects.filter(order=order).exists()
    assert {line.cooperative for line in order.lines.all()} == {tea.cooperative, honey.cooperative}
    assert order.shipping_address.state == "浙江省"


def test_placing_the_order_allocates_its_stock(threshold):
    organisation = OrganisationFactory()
    tea, _honey = tea_and_honey()

    submit(organisation, member(organisation), [(tea, 2)])

    record = tea.stockrecords.get()
    assert record.num_allocated == 2
    assert record.net_stock_level == 3


def test_an_order_above_the_threshold_waits_for_approval(threshold):
    organisation = OrganisationFactory()
    tea, honey = tea_and_honey()

    request = submit(organisation, member(organisation), [(tea, 2), (honey, 2)])  # ¥209.00

    assert isinstance(request, PurchaseRequest)
    assert request.state == PurchaseRequest.State.PENDING
    assert request.amount == Decimal("209.00")
    assert not Order.objects.exists()
    assert request.basket.status == Basket.FROZEN
    assert tea.stockrecords.get().num_allocated in (None, 0)


def test_approver_approval_places_the_order(threshold):
    organisation = OrganisationFactory()
    approver = member(organisation, Membership.Role.APPROVER)
    tea, honey = tea_and_honey()
    request = submit(organisation, member(organisation), [(tea, 2), (honey, 2)])

    request = purchase_request_approve(request=request, approver=approver)

    assert request.state == PurchaseRequest.State.APPROVED
    assert request.order.organisation == organisation
    assert request.order.number == request.order_number
    assert request.order.user == request.buyer
    assert tea.stockrecords.get().num_allocated == 2


def test_a_buyer_cannot_approve_and_an_approver_cannot_approve_their_own_request(threshold):
    organisation = OrganisationFactory()
    approver = member(organisation, Membership.Role.APPROVER)
    tea, honey = tea_and_honey()
    someone_elses = submit(organisation, member(organisation), [(tea, 3), (honey, 2)])
    own = submit(organisation, approver, [(honey, 4)])

    with pytest.raises(PermissionDenied):
        purchase_request_approve(request=someone_elses, approver=member(organisation))
    with pytest.raises(ApprovalError):
        purchase_request_approve(request=own, approver=approver)

    assert not Order.objects.exists()


def test_approver_of_another_organisation_cannot_approve(threshold):
    organisation = OrganisationFactory()
    tea, honey = tea_and_honey()
    request = submit(organisation, member(organisation), [(tea, 3), (honey, 2)])

    with pytest.raises(PermissionDenied):
        purchase_request_approve(
            request=request, approver=member(OrganisationFactory(), Membership.Role.APPROVER)
        )


def test_rejection_needs_a_reason_and_gives_the_basket_back(threshold):
    organisation = OrganisationFactory()
    approver = member(organisation, Membership.Role.APPROVER)
    tea, honey = tea_and_honey()
    request = submit(organisation, member(organisation), [(tea, 3), (honey, 2)])
    with pytest.raises(ApprovalError):
        purchase_request_reject(request=request, approver=approver, reason=" ")

    request = purchase_request_reject(request=request, approver=approver, reason="超出本月预算")

    assert request.state == PurchaseRequest.State.REJECTED
    assert request.basket.status == Basket.OPEN
    assert not Order.objects.exists()


def test_approval_when_stock_ran_out_fails_and_places_nothing(threshold):
    organisation = OrganisationFactory()
    approver = member(organisation, Membership.Role.APPROVER)
    tea, honey = tea_and_honey()
    request = submit(organisation, member(organisation), [(tea, 5), (honey, 1)])
    record = tea.stockrecords.get()
    record.num_in_stock = 4
    record.save()

    with pytest.raises(ApprovalError):
        purchase_request_approve(request=request, approver=approver)

    request.refresh_from_db()
    assert request.state == PurchaseRequest.State.FAILED
    assert not Order.objects.exists()
    assert honey.stockrecords.get().num_allocated in (None, 0)


def test_sold_out_line_places_nothing(threshold):
    organisation = OrganisationFactory()
    tea, honey = tea_and_honey()
    basket = basket_with(member(organisation), [(honey, 1), (tea, 2)])
    record = tea.stockrecords.get()
    record.num_in_stock = 1
    record.save()

    with pytest.raises(OrganisationCheckoutError):
        organisation_checkout_submit(
            basket=basket,
            user=basket.owner,
            organisation=organisation,
            shipping_address=ADDRESS,
            shipping_method_code="free-shipping",
        )

    assert not Order.objects.exists()
    assert honey.stockrecords.get().num_allocated in (None, 0)


def test_only_buying_members_may_buy_for_the_organisation(threshold):
    organisation = OrganisationFactory()
    tea, _honey = tea_and_honey()

    with pytest.raises(PermissionDenied):
        submit(organisation, member(OrganisationFactory()), [(tea, 1)])


def test_checkout_page_places_the_order_with_a_chinese_address(client, threshold):
    organisation = OrganisationFactory()
    buyer = member(organisation)
    tea, _honey = tea_and_honey()
    client.login(email=buyer.email, password=PASSWORD)
    client.post(reverse("basket:add", kwargs={"pk": tea.pk}), {"quantity": 2})

    response = client.post(
        reverse("organisations:checkout"),
        {
            "organisation": organisation.pk,
            "address-last_name": "张三",
            "address-state": "浙江省",
            "address-line4": "杭州市",
            "address-line3": "西湖区",
            "address-line1": "文三路 90 号",
            "address-postcode": "310012",
            "address-phone_number": "13800138000",
            "address-country": "CN",
        },
    )

    order = Order.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "organisations:order", kwargs={"pk": organisation.pk, "number": order.number}
    )
    assert order.organisation == organisation
    assert order.shipping_address.line4 == "杭州市"


def test_checkout_page_refuses_a_bad_postcode(client, threshold):
    organisation = OrganisationFactory()
    buyer = member(organisation)
    tea, _honey = tea_and_honey()
    client.login(email=buyer.email, password=PASSWORD)
    client.post(reverse("basket:add", kwargs={"pk": tea.pk}), {"quantity": 1})

    response = client.post(
        reverse("organisations:checkout"),
        {
            "organisation": organisation.pk,
            "address-last_name": "张三",
            "address-state": "浙江省",
            "address-line4": "杭州市",
            "address-line3": "西湖区",
            "address-line1": "文三路 90 号",
            "address-postcode": "31001",
            "address-phone_number": "13800138000",
            "address-country": "CN",
        },
    )

    assert "邮政编码为 6 位数字。" in response.content.decode()
    assert not Order.objects.exists()


def test_checkout_page_is_refused_to_users_without_an_organisation(client):
    user = UserFactory()
    client.login(email=user.email, password=PASSWORD)

    assert client.get(reverse("organisations:checkout")).status_code == 403


def test_an_offer_is_applied_once_to_an_organisations_order(threshold):
    # Given 10 % off everything (the submit prices the basket, then places the order)
    everything = RangeFactory(includes_all_products=True)
    ConditionalOfferFactory(
        condition=ConditionFactory(range=everything, type="Count", value=1),
        benefit=BenefitFactory(range=everything, type="Percentage", value=10),
    )
    organisation = OrganisationFactory()
    buyer = member(organisation)
    tea, honey = tea_and_honey()

    # When the buyer submits tea ×2 and honey ×1 (¥142.50 before the discount)
    order = submit(organisation, buyer, [(tea, 2), (honey, 1)])

    # Then the order is discounted once: ¥142.50 less 10 %
    assert order.total_incl_tax == Decimal("128.25")
    assert sum(line.line_price_incl_tax for line in order.lines.all()) == Decimal("128.25")
