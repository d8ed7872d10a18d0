"""What one settlement costs the evaluation: a Celery worker records the purchase facts of
every settled order and adds them to the scorecards in the same transaction, so each
query is a round trip paid on every order (docs/scaling.md, `make bench`)."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oscar.core.loading import get_model

from evaluation.models import PurchaseFact, Scorecard
from evaluation.services.facts import purchase_facts_record
from marketplace.payment.events import PAID
from tests.factories import OrganisationFactory

from .factories import (
    AgreementFactory,
    IndicatorFactory,
    at,
    bought,
    east_west_world,
    order_place,
    product_from,
    region_member,
)

pytestmark = pytest.mark.django_db
PaymentEvent = get_model("order", "PaymentEvent")
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")
PaymentEventType = get_model("order", "PaymentEventType")

# The incremental path of an organisation's order, its pairing's scorecard already made,
# as Django counts it (the events and products are read on the side, in binary): the order
# with its lines, the savepoint and its release, the year row, the regions, the pairings,
# the insert, the items, the agreement, the two updates and the rank check.
SETTLEMENT_QUERIES = 12


@pytest.fixture
def world():
    world = east_west_world()
    AgreementFactory(pairing=world["pairing"], year=2025, target_bought=Decimal("1000.00"))
    IndicatorFactory(weight=Decimal("1"))
    return world


def _paid_unannounced(order):
    """The order's paid event with every line, as the store records it, its facts not yet
    written (the settlement task has not run)."""
    paid, _ = PaymentEventType.objects.get_or_create(code=PAID, defaults={"name": PAID})
    event = PaymentEvent.objects.create(order=order, amount=order.total_incl_tax, event_type=paid)
    for line in order.lines.all():
        PaymentEventQuantity.objects.create(
            event=event, line=line, quantity=line.quantity, amount=line.line_price_incl_tax
        )
    PaymentEvent.objects.filter(pk=event.pk).update(date_created=at(2025, 7))
    return event


def test_an_organisations_settlement_reads_no_memberships(world, django_assert_max_num_queries):
    # Given a Hangzhou canteen whose pairing already has its 2025 scorecard
    canteen = OrganisationFactory(home_region=world["hangzhou"])
    product = product_from(world["zhaojue"], price=Decimal("100.00"))
    bought(product, 2, organisation=canteen)
    event = _paid_unannounced(order_place(products=[(product, 3)], organisation=canteen))

    # When its next order settles
    with (
        django_assert_max_num_queries(SETTLEMENT_QUERIES),
        CaptureQueriesContext(connection) as seen,
    ):
        purchase_facts_record(payment_event_id=event.pk)

    # Then the facts and the scorecard have it, and no consumer's ties were looked up
    assert PurchaseFact.objects.get(payment_event=event).amount == Decimal("300.00")
    card = Scorecard.objects.get(pairing=world["pairing"], year=2025)
    assert card.items.get().value == Decimal("500.00")
    assert not [q for q in seen.captured_queries if "organisations_membership" in q["sql"]]


def test_a_recorded_members_settlement_still_counts_for_the_pairing(
    world, django_assert_max_num_queries
):
    # Given a consumer recorded as member of a Hangzhou organisation (the scorecard made)
    member = region_member(province="浙江省", city="杭州市")
    product = product_from(world["zhaojue"], price=Decimal("100.00"))
    bought(product, 1, user=member)
    event = _paid_unannounced(order_place(products=[(product, 1)], user=member))

    # When the member's next order settles: one query more, their memberships
    with django_assert_max_num_queries(SETTLEMENT_QUERIES + 1):
        purchase_facts_record(payment_event_id=event.pk)

    # Then it is the organisation's side's purchase
    fact = PurchaseFact.objects.get(payment_event=event)
    assert fact.bought_pairing == world["pairing"]
    card = Scorecard.objects.get(pairing=world["pairing"], year=2025)
    assert card.items.get().value == Decimal("200.00")
