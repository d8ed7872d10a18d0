"""A locked year is frozen everywhere (invariant 7): after the lock, a refund of one of
its orders moves no figure of that year, public or private, even where the figure comes
from the income ledger (households reached), which the refund does move."""

import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from evaluation.models import Indicator
from evaluation.selectors.public import public_summary_compute
from evaluation.services.locking import year_lock
from marketplace.users.roles import EVALUATOR
from producers.models import BenefitKind
from tests.factories import (
    BenefitLinkFactory,
    BenefitSchemeFactory,
    HouseholdFactory,
    TownshipFactory,
    UserFactory,
    VillageFactory,
)

from .factories import (
    AgreementFactory,
    IndicatorFactory,
    at,
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
        AgreementFactory(pairing=world["pairing"], year=year)
        IndicatorFactory(year=year, code="bought")
        IndicatorFactory(
            year=year,
            code="households",
            name="带动建档立卡户数",
            measure=Indicator.Measure.HOUSEHOLDS,
            target_source=Indicator.TargetSource.AGREEMENT_HOUSEHOLDS,
        )
    world["tea"] = product_from(world["zhaojue"], price=Decimal("80.00"))
    village = VillageFactory(parent=TownshipFactory(parent=world["zhaojue"]))
    BenefitSchemeFactory(cooperative=world["tea"].cooperative)
    for _ in range(3):
        BenefitLinkFactory(
            cooperative=world["tea"].cooperative,
            household=HouseholdFactory(village=village),
            kind=BenefitKind.PRODUCE_SUPPLY,
            supply_share=Decimal("1.00"),
        )
    world["evaluator"] = UserFactory(roles=[EVALUATOR])
    return world


def every_figure(year: int, evaluator) -> dict:
    """What anyone can read of the year: the public page and API, the evaluators' table,
    pairing page, drill-downs, exports and API. Read afresh (no cache)."""
    cache.clear()
    public, private = Client(), Client()
    private.force_login(evaluator)
    token = Token.objects.get_or_create(user=evaluator)[0]
    api = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    seen = {
        "public page": public.get(reverse("evaluation:public-summary", args=[year])),
        "public api": public.get(reverse("api:public-summary", args=[year])),
        "table": private.get(reverse("evaluation:table-year", args=[year])),
        "csv": private.get(reverse("evaluation:export", args=[year, "csv"])),
        "scorecards api": private.get(reverse("api:scorecard-list"), {"year": year}, **api),
    }
    for fmt in ("xlsx",):
        seen[fmt] = private.get(reverse("evaluation:export", args=[year, fmt]))
    cards = seen["scorecards api"].json()
    cards = cards["results"] if isinstance(cards, dict) else cards
    for card in cards:
        seen[f"pairing {card['pairing_id']}"] = private.get(
            reverse("evaluation:scorecard", args=[year, card["pairing_id"]])
        )
        for item in card["items"]:
            seen[f"item {item['id']}"] = private.get(
                reverse("evaluation:item-facts", args=[item["id"]])
            )
    assert all(response.status_code == 200 for response in seen.values()), {
        name: r.status_code for name, r in seen.items()
    }
    figures = {name: _page(response.content) for name, response in seen.items() if name != "xlsx"}
    # Of the evaluators' pages, the figures: their tables and the chart (the menu of years
    # gains the next year once it has scorecards).
    for name in figures:
        if name == "table" or name.startswith(("pairing", "item")):
            figures[name] = re.findall(rb"<table.*?</table>|<svg.*?</svg>", figures[name], re.S)
            assert figures[name]
    figures["xlsx"] = _cells(seen["xlsx"].content)
    return figures


def _page(content: bytes) -> bytes:
    """A response without what differs per request anyway (CSRF tokens, script nonces)."""
    return re.sub(rb'="[A-Za-z0-9+/=_-]{22,}"', b'=""', content)


def _cells(content: bytes) -> list:
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def test_a_refund_after_the_lock_changes_no_figure_of_the_locked_year(world):
    # Given an order of 2025 that reaches three households, and 2025 locked
    first = order_place(products=[(world["tea"], 2)])
    order_settle(order=first, when=at(2025, 5, 1))
    year_lock(year=2025, evaluator=world["evaluator"])
    before = every_figure(2025, world["evaluator"])
    assert before["public api"] != b""
    public = Client().get(reverse("api:public-summary", args=[2025])).json()
    assert public["is_final"] and public["households_reached"] == 3
    assert public["amount"] == "160.00"

    # When one of its orders is refunded in full in 2026
    order_refund(order=first, when=at(2026, 1, 10), lines=[(first.lines.get(), 2)])

    # Then, though the ledger no longer reaches those households,
    assert public_summary_compute(year=2025)["households_reached"] == 0
    # every public and private figure of 2025 is as it was locked
    after = every_figure(2025, world["evaluator"])
    assert after.keys() == before.keys()
    for name in before:
        assert after[name] == before[name], name
    # while the refund shows in 2026, the next open year
    assert Client().get(reverse("api:public-summary", args=[2026])).json()["amount"] == "-160.00"
