"""A locked evaluation year never changes (invariant 7): later refunds and settlements
become adjustments of the next open year, with a note the evaluator sees."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from evaluation.models import EvaluationYear, PurchaseFact, Scorecard
from evaluation.services.errors import YearLocked
from evaluation.services.locking import year_lock
from evaluation.services.scoring import scorecards_refresh
from marketplace.users.roles import CONSUMER, EVALUATOR
from tests.factories import UserFactory

from .factories import (
    AgreementFactory,
    IndicatorFactory,
    at,
    bought,
    east_west_world,
    order_place,
    order_refund,
    order_settle,
    product_from,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = east_west_world()
    for year in (2025, 2026):
        AgreementFactory(pairing=world["pairing"], year=year, target_bought=Decimal("1000.00"))
        IndicatorFactory(year=year)
    world["product"] = product_from(world["zhaojue"], price=Decimal("100.00"))
    world["evaluator"] = UserFactory(roles=[EVALUATOR])
    return world


def snapshot(year: int):
    facts = list(PurchaseFact.objects.filter(year=year).order_by("pk").values())
    cards = list(Scorecard.objects.filter(year=year).values("pairing_id", "total", "grade", "rank"))
    items = sorted(
        (i.indicator_id, i.value, i.target, i.score)
        for card in Scorecard.objects.filter(year=year)
        for i in card.items.all()
    )
    return facts, cards, items


def test_refund_after_lock_leaves_the_locked_year_unchanged_and_adjusts_the_next(world):
    # Given ¥500 bought in 2025 and 2025 locked by an evaluator
    order = order_place(products=[(world["product"], 5)])
    order_settle(order=order, when=at(2025, 11, 1))
    year_lock(year=2025, evaluator=world["evaluator"])
    locked = snapshot(2025)

    # When two units are refunded in January 2026
    order_refund(order=order, when=at(2026, 1, 10), lines=[(order.lines.get(), 2)])

    # Then 2025 is exactly as it was locked
    assert snapshot(2025) == locked
    assert Scorecard.objects.get(year=2025).items.get().value == Decimal("500.00")
    # and 2026 carries the refund as an adjustment, with a note
    adjustment = PurchaseFact.objects.get(kind=PurchaseFact.Kind.REFUND)
    assert adjustment.year == 2026 and adjustment.natural_year == 2025
    assert adjustment.amount == Decimal("-200.00")
    assert adjustment.note == "退款时2025年度已锁定，作为调整计入2026年度"
    assert Scorecard.objects.get(year=2026).items.get().value == Decimal("-200.00")


def test_refund_before_lock_reduces_the_year_of_the_sale(world):
    order = order_place(products=[(world["product"], 5)])
    order_settle(order=order, when=at(2025, 12, 20))

    order_refund(order=order, when=at(2026, 1, 5), lines=[(order.lines.get(), 1)])

    refund = PurchaseFact.objects.get(kind=PurchaseFact.Kind.REFUND)
    assert refund.year == 2025 and refund.note == ""
    assert Scorecard.objects.get(year=2025).items.get().value == Decimal("400.00")


def test_settlement_processed_after_lock_goes_to_the_next_open_year(world):
    year_lock(year=2025, evaluator=world["evaluator"])

    bought(world["product"], year=2025, month=12, day=31)

    fact = PurchaseFact.objects.get()
    assert fact.year == 2026 and fact.note == "结算时2025年度已锁定，计入2026年度"
    assert not PurchaseFact.objects.filter(year=2025).exists()


def test_a_locked_years_scorecards_cannot_be_recomputed(world):
    year_lock(year=2025, evaluator=world["evaluator"])

    with pytest.raises(YearLocked):
        scorecards_refresh(year=2025)


def test_a_year_cannot_be_locked_twice(world):
    year_lock(year=2025, evaluator=world["evaluator"])

    with pytest.raises(YearLocked):
        year_lock(year=2025, evaluator=world["evaluator"])


def test_only_evaluators_lock_years(world):
    with pytest.raises(PermissionDenied):
        year_lock(year=2025, evaluator=UserFactory(roles=[CONSUMER]))

    assert not EvaluationYear.objects.filter(locked_at__isnull=False).exists()


def test_lock_computes_the_final_scorecards(world):
    bought(world["product"], 3, year=2025)
    Scorecard.objects.all().delete()

    config = year_lock(year=2025, evaluator=world["evaluator"])

    assert config.locked_by == world["evaluator"]
    assert Scorecard.objects.get(year=2025).items.get().value == Decimal("300.00")
