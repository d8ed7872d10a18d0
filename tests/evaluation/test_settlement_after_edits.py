"""A settlement keeps its statements compiled for the next ones (core.statements) and
reads everything else afresh: agreements, indicators and pairings edited between two
settlements count from the next one on, and the scorecard it leaves equals a full
refresh."""

from decimal import Decimal

import pytest

from evaluation.models import Scorecard, ScorecardItem
from evaluation.services.scoring import scorecards_refresh
from tests.factories import OrganisationFactory

from .factories import (
    AgreementFactory,
    IndicatorFactory,
    at,
    east_west_world,
    order_place,
    order_settle,
    product_from,
)

pytestmark = pytest.mark.django_db


def _card(pairing):
    card = Scorecard.objects.get(pairing=pairing, year=2025)
    items = ScorecardItem.objects.filter(scorecard=card).order_by("indicator__code")
    return (card.total, card.grade, card.rank), [
        (i.indicator.code, i.value, i.weighted_value, i.target, i.score) for i in items
    ]


def test_edits_between_two_settlements_count_as_a_refresh_counts_them():
    # Given a Hangzhou canteen's first order settled: the statements are compiled
    world = east_west_world()
    agreement = AgreementFactory(
        pairing=world["pairing"], year=2025, target_bought=Decimal("1000.00")
    )
    bought = IndicatorFactory(code="bought", weight=Decimal("1"))
    IndicatorFactory(code="deep", weight=Decimal("1"), filter="deep_poverty")
    canteen = OrganisationFactory(home_region=world["hangzhou"])
    product = product_from(world["zhaojue"], price=Decimal("100.00"))
    scorecards_refresh(year=2025)
    order_settle(order=order_place(products=[(product, 2)], organisation=canteen), when=at(2025, 7))
    before = _card(world["pairing"])

    # When the agreement's target, an indicator's weight and the county's deep-poverty flag
    # change, and the canteen's next order settles
    agreement.target_bought = Decimal("400.00")
    agreement.save()
    bought.weight = Decimal("3")
    bought.save()
    zhaojue = world["zhaojue"]
    zhaojue.is_deep_poverty = False
    zhaojue.save()
    order_settle(order=order_place(products=[(product, 1)], organisation=canteen), when=at(2025, 7))
    after = _card(world["pairing"])

    # Then the card has the new target and weight, and the deep-poverty indicator did not
    # take the order from a county no longer deep poverty
    assert after != before
    assert after == (
        (Decimal("68.75"), "average", 1),  # (75 x 3 + 50 x 1) / 4
        [
            (
                "bought",
                Decimal("300.0000"),
                Decimal("300.0000"),
                Decimal("400.00"),
                Decimal("75.00"),
            ),
            ("deep", Decimal("200.0000"), Decimal("200.0000"), Decimal("400.00"), Decimal("50.00")),
        ],
    )
    # and a full refresh finds the same card the settlements left
    scorecards_refresh(year=2025)
    assert _card(world["pairing"]) == after
