"""Builders for institutional-buyer tests: members, baskets, organisation orders shipped by
every cooperative, accepted and invoiced."""

from oscar.core.loading import get_class

from marketplace.invoicing.services import acceptance_record
from marketplace.order.services import shipment_create
from marketplace.organisations.models import Membership
from marketplace.organisations.services import organisation_order_place
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.store_factories import basket_with, tea_and_honey  # noqa: F401  re-exported

OrderNumberGenerator = get_class("order.utils", "OrderNumberGenerator")

ADDRESS = {
    "last_name": "张三",
    "line1": "文三路 90 号 3 幢 201 室",
    "line3": "西湖区",
    "line4": "杭州市",
    "state": "浙江省",
    "postcode": "310012",
    "country_id": "CN",
    "phone_number": "+8613800138000",
}


def member(organisation=None, role=Membership.Role.BUYER, **user_kwargs):
    """A user with an approved membership of `organisation` (a new one if not given)."""
    organisation = organisation or OrganisationFactory()
    return MembershipFactory(
        organisation=organisation,
        user=UserFactory(**user_kwargs),
        role=role,
        state=Membership.State.APPROVED,
    ).user


def organisation_order(organisation, buyer, lines):
    basket = basket_with(buyer, lines)
    return organisation_order_place(
        basket=basket,
        user=buyer,
        organisation=organisation,
        shipping_address=ADDRESS,
        shipping_method_code="free-shipping",
        order_number=OrderNumberGenerator().order_number(basket),
    )


def ship_all(order):
    """Every cooperative of the order ships its parcel (platform staff records it)."""
    staff = UserFactory(is_staff=True, is_superuser=True)
    for line in order.lines.select_related("cooperative"):
        if not order.shipments.filter(cooperative=line.cooperative).exists():
            shipment_create(
                order=order,
                cooperative=line.cooperative,
                carrier="顺丰速运",
                tracking_number=f"SF{order.pk:06d}{line.pk:04d}",
                actor=staff,
                notify=False,
            )


def invoiced_order(organisation, buyer, lines):
    """An organisation order shipped, accepted and so invoiced; returns its invoice."""
    order = organisation_order(organisation, buyer, lines)
    ship_all(order)
    acceptance_record(order=order, user=buyer, accepted=True)
    order.refresh_from_db()
    return order.invoice
