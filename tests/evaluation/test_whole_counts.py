"""Counts are whole numbers everywhere (issue 18), and the public summary's households and
people are the ones decision 0006 counts: households whose income from the year's counted
sales reaches the year's minimum, and their registered members, each household once."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from evaluation.models import EvaluationYear, Indicator
from evaluation.selectors.public import public_summary_compute
from evaluation.services.locking import year_lock
from marketplace.users.roles import EVALUATOR
from tests.factories import UserFactory

from .factories import (
    AgreementFactory,
    IndicatorFactory,
    at,
    bought,
    east_west_world,
    order_refund,
    product_from,
)
from .test_people_driven import supplied_by

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = east_west_world()
    AgreementFactory(pairing=world["pairing"], year=2025, target_households=2, target_people=8)
    IndicatorFactory(code="bought")
    for code, measure, source in (
        ("households", Indicator.Measure.HOUSEHOLDS, Indicator.TargetSource.AGREEMENT_HOUSEHOLDS),
        ("people", Indicator.Measure.PEOPLE, Indicator.TargetSource.AGREEMENT_PEOPLE),
    ):
        IndicatorFactory(code=code, name=code, measure=measure, target_source=source)
    # Tea: ¥200 a box, ¥60 of it to a household of four; pepper: ¥100 a bag, ¥30 of it to
    # a household of three.
    world["tea"] = product_from(world["zhaojue"], price=Decimal("200.00"))
    world["four"] = supplied_by(world["tea"], size=4)
    world["pepper"] = product_from(world["zhaojue"], title="昭觉花椒", price=Decimal("100.00"))
    world["three"] = supplied_by(world["pepper"], size=3)
    world["evaluator"] = UserFactory(roles=[EVALUATOR])
    return world


def scorecard_items(world) -> dict:
    token = Token.objects.get_or_create(user=world["evaluator"])[0]
    response = Client().get(
        reverse("api:scorecard-list"),
        {"year": 2025},
        HTTP_AUTHORIZATION=f"Token {token.key}",
    )
    assert response.status_code == 200
    [card] = response.json()["results"]
    return {item["indicator_code"]: item for item in card["items"]}


def public(year: int = 2025) -> tuple[dict, str]:
    """The public summary as the API gives it and as the page shows it, read afresh."""
    cache.clear()
    api = Client().get(reverse("api:public-summary", args=[year]))
    page = Client().get(reverse("evaluation:public-summary", args=[year]))
    assert api.status_code == page.status_code == 200
    return api.json(), page.content.decode()


def test_the_api_gives_households_and_people_as_integers_and_money_as_decimals(world):
    bought(world["tea"], 2)  # ¥120 to the household of four: driven

    items = scorecard_items(world)

    for code, count, target in (("households", 1, 2), ("people", 4, 8)):
        item = items[code]
        figures = (item["value"], item["weighted_value"], item["target"])
        assert figures == (count, count, target), code
        assert all(type(figure) is int for figure in figures), code
        assert isinstance(item["score"], str)  # a score, not a count
    money = items["bought"]
    assert (money["value"], money["weighted_value"], money["target"]) == (
        "400.0000",
        "400.0000",
        "1000.00",
    )


def test_the_schema_says_a_figure_is_money_or_a_count(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    schemas = response.json()["components"]["schemas"]
    for name in ("value", "weighted_value", "target"):
        kinds = {kind["type"] for kind in schemas["ScorecardItem"]["properties"][name]["oneOf"]}
        assert kinds == {"string", "integer"}, name
    summary = schemas["PublicSummary"]["properties"]
    for name in ("households_driven", "people_driven", "households_reached"):
        assert summary[name]["type"] == "integer", name
    assert summary["income_minimum"]["format"] == "decimal"


def test_the_public_summary_counts_households_driven_by_the_years_minimum(world):
    # Given ¥60 to the household of four and ¥60 to the household of three: both reached,
    # neither driven
    bought(world["tea"], 1)
    bought(world["pepper"], 2)
    api, page = public()
    assert (api["households_reached"], api["households_driven"], api["people_driven"]) == (2, 0, 0)
    assert api["income_minimum"] == "100.00"
    assert "带动建档立卡户：0" in page and "带动贫困人口：0" in page
    assert "¥100.00" in page

    # When a second order pays the household of four ¥60 more, then it is driven, once
    bought(world["tea"], 1, month=9)
    api, page = public()
    assert (api["households_reached"], api["households_driven"], api["people_driven"]) == (2, 1, 4)
    assert "带动建档立卡户：1" in page and "带动贫困人口：4" in page

    # When the year's minimum is ¥50, then both households and their seven members are
    Indicator.objects.filter(year=2025, measure__in=Indicator.LEDGER_MEASURES).update(
        income_minimum=Decimal("50.00")
    )
    api, page = public()
    assert (api["households_driven"], api["people_driven"], api["income_minimum"]) == (
        2,
        7,
        "50.00",
    )
    assert "¥50.00" in page


def test_a_year_locked_now_keeps_the_households_and_people_it_drove(world):
    order = bought(world["tea"], 2)
    year_lock(year=2025, evaluator=world["evaluator"])

    order_refund(order=order, when=at(2026, 1, 10), lines=[(order.lines.get(), 2)])

    now = public_summary_compute(year=2025)
    assert (now["households_driven"], now["people_driven"]) == (0, 0)
    api, page = public()
    assert api["is_final"]
    assert (api["households_driven"], api["people_driven"], api["income_minimum"]) == (
        1,
        4,
        "100.00",
    )
    assert "带动贫困人口：4" in page


def test_a_year_locked_before_people_driven_were_stored_still_shows(world):
    # Given a year locked with the summary stored before decision 0006 reached it
    bought(world["tea"], 1)
    bought(world["pepper"], 2)
    year_lock(year=2025, evaluator=world["evaluator"])
    config = EvaluationYear.objects.get(year=2025)
    for key in ("households_driven", "people_driven", "income_minimum"):
        del config.public_summary[key]
    config.save(update_fields=["public_summary"])

    api, page = public()

    # Then it shows what it stored, named for what it counts
    assert api["households_reached"] == 2
    assert api["households_driven"] is api["people_driven"] is api["income_minimum"] is None
    assert "分得收益的建档立卡户：2" in page
    assert "带动贫困人口" not in page


def test_the_agreement_admin_lists_the_people_target(client, world):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.get(reverse("admin:evaluation_agreement_changelist"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "带动贫困人口目标（人）" in content
    assert '<td class="field-target_people">8</td>' in content
