"""Thank-you certificates and rankings count what buyers paid: an organisation's orders
(placed by any of its buyers and approvers), a person's own, each net of its refunds as
the payment events record them (a refund made in Stripe's dashboard names no line)."""

import itertools
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from cms import selectors
from marketplace.organisations.models import Membership
from marketplace.payment.events import payment_refunded
from marketplace.payment.services.settlement import refund_amount_split, refunded_by_line
from producers.income.selectors import households_reached
from producers.models import BenefitKind
from tests.factories import (
    BenefitLinkFactory,
    BenefitSchemeFactory,
    CountyFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    VillageFactory,
)
from tests.store_factories import certified_cooperative, product_create

from .conftest import refund

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year
Order = get_model("order", "Order")
Line = get_model("order", "Line")
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventType = get_model("order", "PaymentEventType")
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")
_refunds = itertools.count(1)


def _product(price: str, county, suppliers: int = 2):
    """A product of a cooperative in `county` whose scheme pays its produce suppliers."""
    cooperative = certified_cooperative(village=VillageFactory(parent__parent=county))
    BenefitSchemeFactory(cooperative=cooperative)
    for _ in range(suppliers):
        BenefitLinkFactory(
            cooperative=cooperative,
            kind=BenefitKind.PRODUCE_SUPPLY,
            supply_share=Decimal("1.00"),
        )
    return product_create(cooperative=cooperative, price=Decimal(price))


def _amount_refund(*, order, amount: str):
    """A refund made in Stripe's dashboard: an amount, split over the lines by the store."""
    done = refunded_by_line(order=order)
    event = PaymentEvent.objects.create(
        order=order,
        amount=Decimal(amount),
        reference=f"re_dashboard_{next(_refunds)}",
        event_type=PaymentEventType.objects.get_or_create(code="refund", defaults={"name": "退款"})[
            0
        ],
    )
    every = {line.pk: line for line in order.lines.all()}
    for line, units, money in refund_amount_split(lines=every, amount=event.amount, done=done):
        PaymentEventQuantity.objects.create(event=event, line=line, quantity=units, amount=money)
    payment_refunded.send(sender=Order, order=order, payment_event=event, lines=[])
    return event


@pytest.fixture
def canteen(settle, django_capture_on_commit_callbacks):
    """An organisation whose buyer and approver both bought for it this year from two
    counties (¥147.80 and ¥204.00), with one unit (¥68.00) and ¥10.00 refunded; the buyer
    also bought ¥68.00 for themselves, and another organisation ¥380.00."""
    zhaojue, butuo = CountyFactory(name="昭觉县"), CountyFactory(name="布拖县")
    potatoes, tea = _product("39.90", zhaojue), _product("68.00", butuo, suppliers=3)
    elsewhere = _product("38.00", CountyFactory(name="美姑县"))
    organisation = OrganisationFactory(name="西湖区机关食堂")
    buyer = MembershipFactory(
        organisation=organisation, role=Membership.Role.BUYER, state="approved"
    ).user
    approver = MembershipFactory(
        organisation=organisation, role=Membership.Role.APPROVER, state="approved"
    ).user
    first = settle(items=[(potatoes, 2), (tea, 1)], user=buyer, organisation=organisation)
    second = settle(items=[(tea, 3)], user=approver, organisation=organisation)
    with django_capture_on_commit_callbacks(execute=True):
        refund(order=second, lines=[(second.lines.get(), 1)])
    with django_capture_on_commit_callbacks(execute=True):
        _amount_refund(order=first, amount="10.00")
    settle(items=[(tea, 1)], user=buyer)
    settle(items=[(elsewhere, 10)], user=UserFactory(), organisation=OrganisationFactory())
    return {"organisation": organisation, "buyer": buyer, "orders": [first, second]}


def test_an_organisations_certificate_counts_all_its_orders_net_of_every_refund(canteen):
    # When the organisation's certificate is made for its approver
    organisation = canteen["organisation"]
    approver = organisation.memberships.get(role=Membership.Role.APPROVER).user
    certificate = selectors.buyer_certificate(user=approver, year=YEAR, organisation=organisation)

    # Then it holds both members' orders less the refunded unit and the ¥10.00 refunded
    # without lines: 147.80 + 204.00 - 68.00 - 10.00
    assert certificate.buyer_name == "西湖区机关食堂"
    assert certificate.amount == Decimal("273.80")
    assert {county.name for county in certificate.counties} == {"昭觉县", "布拖县"}
    lines = Line.objects.filter(order__in=canteen["orders"])
    assert certificate.households == households_reached(order_lines=lines) == 5


def test_an_organisations_buyer_downloads_the_organisations_certificate(client, canteen):
    # When the organisation's buyer downloads the year's certificate
    client.force_login(canteen["buyer"])
    response = client.get(reverse("cms:certificate", kwargs={"year": YEAR}))

    # Then it states the organisation's amount, counties and households, not ¥0.00
    assert response.status_code == 200
    assert f"Dongxi {YEAR}: CNY 273.80, 2 counties, 5 households".encode() in response.content


def test_a_member_can_still_download_a_certificate_of_their_own_purchases(client, canteen):
    client.force_login(canteen["buyer"])

    response = client.get(reverse("cms:certificate", kwargs={"year": YEAR}) + "?personal=1")

    assert f"Dongxi {YEAR}: CNY 68.00, 1 counties, 3 households".encode() in response.content


def test_a_consumers_certificate_counts_only_their_own_orders_net_of_refunds(
    settle, canteen, django_capture_on_commit_callbacks
):
    # Given a consumer's order of ¥114.00, ¥20.00 of it refunded from Stripe's dashboard,
    # beside the organisation's orders and another consumer's
    meigu = CountyFactory(name="美姑县")
    honey = _product("38.00", meigu)
    consumer = UserFactory()
    order = settle(items=[(honey, 3)], user=consumer)
    with django_capture_on_commit_callbacks(execute=True):
        _amount_refund(order=order, amount="20.00")
    settle(items=[(honey, 5)], user=UserFactory())

    certificate = selectors.buyer_certificate(user=consumer, year=YEAR)

    assert certificate.amount == Decimal("94.00")
    assert [county.name for county in certificate.counties] == ["美姑县"]
    assert certificate.households == 2


def test_the_organisation_ranking_counts_what_organisations_paid_net_of_refunds(canteen):
    ranking = selectors.organisation_ranking(year=YEAR)

    assert [row.amount for row in ranking] == [Decimal("380.00"), Decimal("273.80")]
    assert ranking[1].name == "西湖区机关食堂"


def test_the_participation_page_offers_a_member_the_organisations_certificate(
    client, canteen, home_page
):
    from cms.models import ParticipationPage

    page = ParticipationPage(title="社会参与榜", slug="participation")
    home_page.add_child(instance=page)
    page.save_revision().publish()
    client.force_login(canteen["buyer"])

    html = client.get(page.url).content.decode()

    organisation = canteen["organisation"]
    assert f"?organisation={organisation.pk}" in html
    assert "?personal=1" in html
