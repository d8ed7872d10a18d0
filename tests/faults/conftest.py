"""Shared pieces of the fault-injection tests: a count of the faults each test injects
(printed at the end of the run, for the notes), and a cooperative whose sales reach
households."""

import contextlib
import socket
import threading
from decimal import Decimal

import pytest
from django.conf import settings

from producers.models import BenefitKind
from tests.factories import BenefitLinkFactory, BenefitSchemeFactory
from tests.producers.income.conftest import household_in
from tests.store_factories import certified_cooperative, product_create

FAULTS_INJECTED: dict[str, int] = {}


@contextlib.contextmanager
def silent_server():
    """A server on the loopback that accepts connections and never answers, as Stripe does
    when it hangs. Yields its base URL and the list of connections it accepted."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted, stop = [], threading.Event()

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", accepted
    finally:
        stop.set()
        thread.join()
        for conn in accepted:
            conn.close()
        listener.close()


ON_POSTGRES = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
postgres_only = pytest.mark.skipif(
    not ON_POSTGRES,
    reason="needs PostgreSQL (set DATABASE_URL): real row locks, deadlock detection and a "
    "database that other processes share",
)


@pytest.fixture
def fault_count(request):
    """Call with how many faults the test injected: fault_count(1)."""

    def record(n: int = 1) -> None:
        FAULTS_INJECTED[request.node.nodeid] = FAULTS_INJECTED.get(request.node.nodeid, 0) + n

    return record


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """This folder's transactional tests run after every other test but the journeys (which
    a later hook puts last): pytest-django flushes the database after each of them, which
    removes the rows data migrations wrote (China as a shipping country, the role groups)
    that other transactional tests rely on."""

    def flushes(item) -> bool:
        marker = item.get_closest_marker("django_db")
        return (
            "/tests/faults/" in str(item.path)
            and marker is not None
            and bool(marker.kwargs.get("transaction"))
        )

    late = [item for item in items if flushes(item)]
    if late:
        journeys = [item for item in items if "/tests/journeys/" in str(item.path)]
        ids = {id(item) for item in late + journeys}
        items[:] = [item for item in items if id(item) not in ids] + late + journeys


def pytest_terminal_summary(terminalreporter):
    if FAULTS_INJECTED:
        terminalreporter.write_line(
            f"faults injected: {sum(FAULTS_INJECTED.values())} in {len(FAULTS_INJECTED)} tests"
        )


def cooperative_with_households(*, num_in_stock: int = 1000):
    """A certified cooperative with a benefit scheme (30% produce, 10% wages, 5% dividends),
    two produce suppliers and a dividend holder; returns its product at ¥38.00."""
    cooperative = certified_cooperative()
    BenefitSchemeFactory(cooperative=cooperative)
    for share in ("1.00", "3.00"):
        BenefitLinkFactory(
            cooperative=cooperative,
            household=household_in(cooperative),
            kind=BenefitKind.PRODUCE_SUPPLY,
            supply_share=Decimal(share),
        )
    BenefitLinkFactory(
        cooperative=cooperative,
        household=household_in(cooperative),
        kind=BenefitKind.DIVIDEND,
        equity_shares=Decimal("2000.00"),
    )
    return product_create(
        cooperative=cooperative, price=Decimal("38.00"), num_in_stock=num_in_stock
    )
