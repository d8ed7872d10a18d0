"""Money is one number everywhere (invariant 9): an order discounted by two offers (a
percentage and a fixed amount) over lines of two cooperatives, paid by card, refunded unit
by unit from the dashboard and in part from Stripe's dashboard. After every step Stripe's
refunds, the income ledger, the purchase facts, the organisation's statement and its
certificate agree to the fen; refunding everything returns every household and both
cooperatives to exactly zero."""

import datetime
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.utils import timezone
from oscar.core.loading import get_class, get_model
from oscar.test.factories import (
    BenefitFactory,
    ConditionalOfferFactory,
    ConditionFactory,
    RangeFactory,
)

from cms.selectors import buyer_certificate, headline_figures, organisation_ranking
from evaluation.models import PurchaseFact
from marketplace.order.placement import basket_prepare
from marketplace.organisations.models import Membership
from marketplace.organisations.selectors import settled_lines
from marketplace.payment.events import REFUND
from marketplace.payment.services import order_place_for_payment, order_refund, payment_start
from producers.income.models import LedgerEntry, LineMovement, ProcessedEvent
from producers.models import BenefitKind
from tests.factories import BenefitLinkFactory, BenefitSchemeFactory, MembershipFactory
from tests.store_factories import certified_cooperative, china_country, product_create

from .conftest import ADDRESS, basket_with, event, webhook_post

Order = get_model("order", "Order")
OrderNumberGenerator = get_class("order.utils", "OrderNumberGenerator")
PaymentAttempt = get_model("payment", "PaymentAttempt")
Benefit = get_model("offer", "Benefit")
Condition = get_model("offer", "Condition")

pytestmark = pytest.mark.django_db

ZERO = Decimal("0.00")


def _linked_product(*, title: str, price: str, stock: int = 20):
    """A product of a new cooperative whose scheme pays two produce suppliers (shares 1 and
    3) and one dividend holder."""
    cooperative = certified_cooperative()
    BenefitSchemeFactory(cooperative=cooperative, effective_from=datetime.date(2020, 1, 1))
    for share in ("1.00", "3.00"):
        BenefitLinkFactory(
            cooperative=cooperative,
            kind=BenefitKind.PRODUCE_SUPPLY,
            supply_share=Decimal(share),
        )
    BenefitLinkFactory(
        cooperative=cooperative, kind=BenefitKind.DIVIDEND, equity_shares=Decimal("500.00")
    )
    return product_create(
        cooperative=cooperative, title=title, price=Decimal(price), num_in_stock=stock
    )


def _offers():
    """10 % off everything, and ¥5.00 off a basket of at least two items."""
    everything = RangeFactory(includes_all_products=True)
    ConditionalOfferFactory(
        name="消费帮扶九折",
        priority=2,
        exclusive=False,
        condition=ConditionFactory(range=everything, type=Condition.COUNT, value=1),
        benefit=BenefitFactory(range=everything, type=Benefit.PERCENTAGE, value=10),
    )
    ConditionalOfferFactory(
        name="满两件减五元",
        priority=1,
        exclusive=False,
        condition=ConditionFactory(range=everything, type=Condition.COUNT, value=2),
        benefit=BenefitFactory(range=everything, type=Benefit.FIXED, value=Decimal("5.00")),
    )


@pytest.fixture
def world(stripe_fake, settings, django_capture_on_commit_callbacks):
    """An organisation's order paid by card with both offers applied: 3 teas (¥38.00) and
    3 buckwheat packs (¥12.99) of one cooperative, 2 honeys (¥66.50) of another."""
    settings.INCOME_PLATFORM_FEE_RATE = "0"  # the ledger then holds the money itself
    china_country()
    tea = _linked_product(title="凉山苦荞茶", price="38.00")
    buckwheat = product_create(
        cooperative=tea.cooperative, title="苦荞米", price=Decimal("12.99"), num_in_stock=20
    )
    honey = _linked_product(title="昭觉蜂蜜", price="66.50")
    _offers()
    membership = MembershipFactory(role=Membership.Role.BUYER, state=Membership.State.APPROVED)
    buyer, organisation = membership.user, membership.organisation
    with django_capture_on_commit_callbacks(execute=True):
        basket = basket_with(buyer, [(tea, 3), (buckwheat, 3), (honey, 2)])
        # The pay page charges the basket with its offers applied, as the order is placed.
        basket_prepare(basket=basket, user=buyer)
        attempt = payment_start(
            basket=basket,
            user=buyer,
            order_number=OrderNumberGenerator().order_number(basket),
            amount=basket.total_incl_tax,
            shipping_address=ADDRESS,
            shipping_method_code="free-shipping",
        )
        stripe_fake.succeed(attempt.payment_intent_id)
        order = order_place_for_payment(payment_intent_id=attempt.payment_intent_id)
        # The card checkout names no organisation; the invoice path does. Set before the
        # settlement is announced, so the facts see the organisation buyer too.
        Order.objects.filter(pk=order.pk).update(organisation=organisation)
    order.refresh_from_db()
    return {
        "order": order,
        "organisation": organisation,
        "buyer": buyer,
        "lines": {line.product_id: line for line in order.lines.all()},
        "products": (tea, buckwheat, honey),
        "stripe": stripe_fake,
    }


def _stripe_refunded(world) -> Decimal:
    intent = PaymentAttempt.objects.get(order=world["order"]).payment_intent_id
    refunds = world["stripe"].refunds.values()
    fen = sum(r["amount"] for r in refunds if r["payment_intent"] == intent)
    return Decimal(fen).scaleb(-2)


def _figures(world) -> dict:
    """What each place says was refunded of the order, and what it says was bought."""
    order, organisation = world["order"], world["organisation"]
    year = timezone.localdate().year
    reversed_ = LedgerEntry.objects.filter(
        line__order=order, payment_event__event_type__code=REFUND
    ).aggregate(total=Sum("amount"))["total"]
    facts = PurchaseFact.objects.filter(order_id=order.pk, kind=PurchaseFact.Kind.REFUND).aggregate(
        total=Sum("amount")
    )["total"]
    movements = LineMovement.objects.filter(
        line__order=order, kind=ProcessedEvent.Kind.REFUND
    ).aggregate(total=Sum("gross"))["total"]
    today = timezone.localdate()
    # The statement's lines (its page, PDF and XLSX list and total these)
    statement = settled_lines(organisation=organisation, start=today, end=today)
    certificate = buyer_certificate(user=world["buyer"], year=year, organisation=organisation)
    ranking = {row.name: row.amount for row in organisation_ranking(year=year)}
    return {
        "stripe": _stripe_refunded(world),
        "ledger": -(reversed_ or ZERO),
        "ledger_gross": movements or ZERO,
        "facts": -(facts or ZERO),
        "statement": -sum((s.amount for s in statement if s.amount < 0), ZERO),
        "certificate": world["paid"] - certificate.amount,
        "ranking": world["paid"] - ranking.get(organisation.name, ZERO),
        # the home page's figure: this order is the only purchase of the year
        "headline": world["paid"] - headline_figures(year=year).amount,
        "statement_total": sum((s.amount for s in statement), ZERO),
        "certificate_amount": certificate.amount,
    }


def _assert_agree(world):
    figures = _figures(world)
    refunded = figures["stripe"]
    assert {k: figures[k] for k in ("ledger", "ledger_gross", "facts", "statement")} == {
        k: refunded for k in ("ledger", "ledger_gross", "facts", "statement")
    }
    assert figures["certificate"] == figures["ranking"] == figures["headline"] == refunded
    assert figures["statement_total"] == figures["certificate_amount"]
    return refunded


def _lines_paid(order) -> Decimal:
    return sum((line.line_price_incl_tax for line in order.lines.all()), ZERO)


def _balances(order) -> dict:
    return {
        (row["household_id"], row["cooperative_id"], row["kind"]): row["total"]
        for row in LedgerEntry.objects.filter(line__order=order)
        .values("household_id", "cooperative_id", "kind")
        .annotate(total=Sum("amount"))
    }


def test_every_refund_of_a_discounted_order_is_one_number_everywhere(
    client, staff, world, django_capture_on_commit_callbacks
):
    order, lines = world["order"], world["lines"]
    tea, buckwheat, honey = (lines[p.pk] for p in world["products"])
    # Given both offers took money off every line (Oscar's unit price is before them)
    assert order.discounts.count() == 2
    for line in (tea, buckwheat, honey):
        assert line.line_price_incl_tax < line.unit_price_incl_tax * line.quantity
    world["paid"] = _lines_paid(order)
    assert _figures(world)["certificate_amount"] == world["paid"]
    households = {key for key in _balances(order) if key[0] is not None}
    assert len(households) == 6  # 3 households of each cooperative received income
    intent = PaymentAttempt.objects.get(order=order).payment_intent_id

    # When units are refunded one by one from the dashboard, a Stripe dashboard refund of
    # ¥7.77 comes in by webhook half-way, and the rest of the order is refunded last
    steps = [
        ("units", tea, 1),
        ("units", honey, 1),
        ("units", buckwheat, 1),
        ("stripe", None, 777),
        ("units", tea, 1),
        ("units", buckwheat, 1),
        ("units", honey, 1),
        ("units", buckwheat, 1),
        ("rest", None, None),
    ]
    refunded = ZERO
    for number, (how, line, units) in enumerate(steps, start=1):
        with django_capture_on_commit_callbacks(execute=True):
            if how == "units":
                order_refund(order=order, lines_quantities={line: units}, actor=staff)
            elif how == "rest":
                order_refund(order=order, lines_quantities=None, actor=staff)
            else:
                made = world["stripe"].refund_made_at_stripe(intent, units)
                response = webhook_post(client, event(f"evt_re_{number}", "refund.created", made))
                assert response.status_code == 200
        # Then after each step every place agrees with Stripe to the fen
        now = _assert_agree(world)
        assert now > refunded, (number, how)
        assert now <= world["paid"]
        refunded = now

    # And everything paid for the lines went back, and every balance is exactly zero
    assert refunded == world["paid"]
    balances = _balances(order)
    assert set(balances) >= households
    assert all(total == ZERO for total in balances.values()), balances
    assert _figures(world)["certificate_amount"] == ZERO
