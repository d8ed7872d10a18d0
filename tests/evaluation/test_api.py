"""The read-only evaluation API for provincial systems: token auth, an OpenAPI schema,
scorecards and the facts behind each figure."""

from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from evaluation.models import Scorecard
from marketplace.users.roles import CONSUMER, EVALUATOR
from tests.factories import UserFactory

from .factories import AgreementFactory, IndicatorFactory, bought, east_west_world, product_from

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = east_west_world()
    AgreementFactory(pairing=world["pairing"], year=2025, target_bought=Decimal("1000.00"))
    IndicatorFactory(code="bought")
    bought(product_from(world["zhaojue"], price=Decimal("100.00")), 4)
    return world


def auth(role) -> dict:
    token = Token.objects.create(user=UserFactory(roles=[role]))
    return {"HTTP_AUTHORIZATION": f"Token {token.key}"}


def test_provincial_system_reads_scorecards_with_a_token(client, world):
    response = client.get(reverse("api:scorecard-list"), {"year": 2025}, **auth(EVALUATOR))

    assert response.status_code == 200
    [card] = response.json()["results"]
    assert card["pairing_id"] == world["pairing"].pk
    assert (card["total"], card["grade"], card["grade_label"], card["rank"]) == (
        "40.00",
        "poor",
        "差",
        1,
    )
    assert card["items"][0]["value"] == "400.0000" and card["items"][0]["score"] == "40.00"


def test_a_non_ascii_year_lists_every_scorecard_instead_of_failing(client, world):
    response = client.get(reverse("api:scorecard-list"), {"year": "²"}, **auth(EVALUATOR))

    assert response.status_code == 200
    assert len(response.json()["results"]) == 1


def test_facts_behind_a_figure_add_up_to_it(client, world):
    item = Scorecard.objects.get().items.get()

    response = client.get(reverse("api:item-facts", args=[item.pk]), **auth(EVALUATOR))

    facts = response.json()["results"]
    assert sum(Decimal(f["weighted"]) for f in facts) == item.value


def test_without_a_token_or_the_role_nothing_is_read(client, world):
    assert client.get(reverse("api:scorecard-list")).status_code in (401, 403)
    assert client.get(reverse("api:scorecard-list"), **auth(CONSUMER)).status_code == 403


def test_the_api_is_read_only(client, world):
    headers = auth(EVALUATOR)
    card = Scorecard.objects.get()

    put = client.put(
        reverse("api:scorecard-detail", args=[card.pk]),
        {"total": "100.00"},
        content_type="application/json",
        **headers,
    )
    delete = client.delete(reverse("api:scorecard-detail", args=[card.pk]), **headers)

    assert put.status_code in (403, 405) and delete.status_code in (403, 405)
    assert Scorecard.objects.get().total == card.total


def test_openapi_schema_is_published(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = response.json()
    assert "/api/evaluation/scorecards/" in schema["paths"]
    assert "tokenAuth" in schema["components"]["securitySchemes"]


def test_public_summary_endpoint_needs_no_login(client, world):
    response = client.get(reverse("api:public-summary", args=[2025]))

    assert response.status_code == 200
    assert response.json()["amount"] == "400.00"
