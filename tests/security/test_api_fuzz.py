"""Hostile input on the evaluation API: schemathesis generates requests from the API's own
OpenAPI schema (valid and invalid ones, with an evaluator's token, a consumer's token and
none) and sends them to the WSGI application. No request may cause a server error, and every
answer must be one the schema documents, with a body that matches it."""

from decimal import Decimal

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from config.wsgi import application
from evaluation.models import Scorecard
from marketplace.users.roles import CONSUMER, EVALUATOR
from tests.evaluation.factories import (
    AgreementFactory,
    IndicatorFactory,
    bought,
    east_west_world,
    product_from,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

# Valid requests: the status, content type and body are all as documented. Invalid ones
# (negative mode) may also miss the URL patterns and get the site's HTML 404 page: for them
# only the status is held to the schema.
CHECKS = {
    "valid": [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
    ],
    "invalid": [not_a_server_error, status_code_conformance],
}
MAX_EXAMPLES = 30

# Cases sent, by identity; printed at the end of each test (-s shows it) for the notes.
CASES_RUN: dict[str, int] = {}


@pytest.fixture
def api_world():
    """One east–west pairing with a scorecard, its item and the facts behind it."""
    world = east_west_world()
    AgreementFactory(pairing=world["pairing"], year=2025, target_bought=Decimal("1000.00"))
    IndicatorFactory(code="bought")
    bought(product_from(world["zhaojue"], price=Decimal("100.00")), 4)
    card = Scorecard.objects.get()
    return {"scorecard": card, "item": card.items.get(), "year": card.year}


@pytest.fixture
def wsgi_keeps_the_test_connection():
    """Requests go straight to the WSGI application, whose request signals would close the
    database connection holding the test's transaction (Django's test client disconnects
    them the same way)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(scope="module", autouse=True)
def fuzz_report(request):
    """The number of cases sent, on the terminal once the module is done."""
    yield
    plugins = request.config.pluginmanager
    reporter = plugins.get_plugin("terminalreporter")
    if CASES_RUN and reporter is not None:
        by_identity = ", ".join(f"{who} {n}" for who, n in CASES_RUN.items())
        with plugins.get_plugin("capturemanager").global_and_fixture_disabled():
            reporter.write_line(f"API fuzz cases run: {sum(CASES_RUN.values())} ({by_identity})")


def _headers(identity: str) -> dict:
    if identity == "anonymous":
        return {}
    role = {"evaluator": EVALUATOR, "consumer": CONSUMER}[identity]
    token = Token.objects.create(user=UserFactory(roles=[role]))
    return {"Authorization": f"Token {token.key}"}


def _existing_path_parameters(operation, world) -> dict:
    """Path parameters naming rows that exist, so the fuzzer also reaches full answers."""
    known = {"id": world["scorecard"].pk, "item_id": world["item"].pk, "year": world["year"]}
    names = {p.name for p in operation.path_parameters} if operation.path_parameters else set()
    return {name: value for name, value in known.items() if name in names}


def _strategies(operation, world):
    yield "valid", operation.as_strategy(generation_mode=GenerationMode.POSITIVE)
    yield "invalid", operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)
    existing = _existing_path_parameters(operation, world)
    if existing:
        yield (
            "valid",
            operation.as_strategy(
                generation_mode=GenerationMode.POSITIVE, path_parameters=existing
            ),
        )


def _fuzz(strategy, *, headers: dict, checks: list) -> list[tuple[str, int]]:
    """Send the strategy's cases with `headers`; returns (operation, status) of each."""
    sent = []

    @given(case=strategy)
    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def send(case):
        case.headers = {**(case.headers or {}), **headers}
        if not headers:
            case.headers.pop("Authorization", None)
        response = case.call()
        sent.append((case.operation.label, response.status_code))
        case.validate_response(response, checks=checks)

    send()
    return sent


@pytest.mark.parametrize("identity", ["evaluator", "consumer", "anonymous"])
def test_api_answers_every_generated_request_as_its_schema_says(
    api_world, wsgi_keeps_the_test_connection, identity
):
    # Given the schema the API publishes, and the identity's token (or none)
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    headers = _headers(identity)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 4
    sent = []

    # When every operation gets generated requests, valid and invalid
    for operation in operations:
        for mode, strategy in _strategies(operation, api_world):
            # Then no server error, and what comes back is as documented
            sent += _fuzz(strategy, headers=headers, checks=CHECKS[mode])

    CASES_RUN[identity] = len(sent)
    print(f"\nAPI fuzz ({identity}): {len(sent)} cases run, {sum(CASES_RUN.values())} so far")
    # And the fuzzer reached full answers: the evaluator reads every operation, the others
    # only the public summary
    answered = {label for label, status in sent if status == 200}
    public = {op.label for op in operations if "summary" in op.path}
    everything = {op.label for op in operations}
    assert answered == (everything if identity == "evaluator" else public)
