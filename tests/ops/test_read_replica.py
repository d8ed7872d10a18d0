"""Read replicas, for real: a streaming replica of the test run's PostgreSQL is made with
pg_basebackup (bin/pg-replica) on another port, the `replica` alias points at it with the
router and middleware of config/db_router.py, and the storefront's and evaluators' pages
are served with their reads on it, while baskets, stock, the ledger, transactions and a
visitor's own posted change are read from the primary. The tests are transactional: what
they write is committed on the primary and replayed by the replica (they wait for it)."""

import os
import re
import socket
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.core.loading import get_model

from config.db_router import MIDDLEWARE, PIN_COOKIE, REPLICA, ROUTER, ReplicaMiddleware
from marketplace.users.roles import EVALUATOR
from producers.income.services.traces import line_traces_ensure
from tests.evaluation.factories import (
    AgreementFactory,
    IndicatorFactory,
    bought,
    east_west_world,
    product_from,
)
from tests.factories import UserFactory
from tests.store_factories import product_create
from tests.through_replica import primary_written, replayed_wait

Product = get_model("catalogue", "Product")
ROOT = Path(settings.BASE_DIR)
SCRIPT = ROOT / "bin" / "pg-replica"
CANNOT_RUN_HERE = 3  # bin/pg-replica: no PostgreSQL tools, or replication not allowed

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="a streaming replica needs PostgreSQL (set DATABASE_URL)",
    ),
]
on_both = pytest.mark.django_db(transaction=True, databases=["default", REPLICA])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _replica_script(
    action: str, directory: Path, port: int, *, primary_port: int
) -> subprocess.CompletedProcess:
    env = {**os.environ, "PRIMARY_HOST": "127.0.0.1", "PRIMARY_PORT": str(primary_port)}
    env["PRIMARY_USER"] = settings.DATABASES["default"]["USER"] or "postgres"
    return subprocess.run(  # noqa: S603  our own script, fixed arguments
        [str(SCRIPT), action, str(directory), str(port)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _pg(*command: str, stdin: bytes | None = None) -> bytes:
    done = subprocess.run(  # noqa: S603  PostgreSQL's own tools, fixed arguments
        command, input=stdin, capture_output=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    return done.stdout


def _database_copy(name: str, *, port: int) -> None:
    """The test database (its schema and the rows migrations wrote) into the new primary."""
    db = settings.DATABASES["default"]
    user = db["USER"] or "postgres"
    here = ["-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432), "-U", user]
    there = ["-h", "127.0.0.1", "-p", str(port), "-U", user]
    _pg("createdb", *there, name)
    dump = _pg("pg_dump", *here, "--no-owner", name)
    _pg("psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", *there, "-d", name, stdin=dump)


@pytest.fixture(scope="module")
def streaming_pair(django_db_setup, django_db_blocker):
    """A primary cluster of this module's own, holding a copy of the test database, and a
    hot standby made of it with pg_basebackup, streaming from it (bin/pg-replica says why
    not a standby of the shared cluster). Both are stopped and removed at the end."""
    primary_port, replica_port = _free_port(), _free_port()
    primary_dir = Path(tempfile.gettempdir()) / f"dongxi-primary-{primary_port}"
    replica_dir = Path(tempfile.gettempdir()) / f"dongxi-replica-{replica_port}"
    made = []
    try:
        for directory, port in ((primary_dir, primary_port), (replica_dir, replica_port)):
            if directory == primary_dir:
                started = _replica_script("primary", directory, port, primary_port=port)
            else:
                with django_db_blocker.unblock():
                    _database_copy(connections["default"].settings_dict["NAME"], port=primary_port)
                started = _replica_script("start", directory, port, primary_port=primary_port)
            made.append((directory, port))
            if started.returncode != 0:
                reason = f"no streaming replica could be made:\n{started.stdout}{started.stderr}"
                if started.returncode == CANNOT_RUN_HERE and os.environ.get("CI") != "true":
                    pytest.skip(reason)
                pytest.fail(reason)
        yield primary_port, replica_port
    finally:
        for directory, port in reversed(made):
            stopped = _replica_script("stop", directory, port, primary_port=primary_port)
            assert stopped.returncode == 0, stopped.stderr
            assert not directory.exists()


@pytest.fixture(scope="module")
def replica_alias(streaming_pair):
    """For this module the `default` database is the new primary, and `replica`, as
    DATABASE_REPLICA_URL configures it, its standby (a mirror of `default` for the test
    runner: never flushed)."""
    primary_port, replica_port = streaming_pair
    default = connections["default"].settings_dict
    shared = default["HOST"], default["PORT"]
    connections["default"].close()
    default["HOST"], default["PORT"] = "127.0.0.1", str(primary_port)
    connections.settings[REPLICA] = {
        **default,
        "PORT": str(replica_port),
        "CONN_MAX_AGE": 0,
        "TEST": {**default["TEST"], "MIRROR": "default"},
    }
    try:
        yield
    finally:
        connections[REPLICA].close()
        del connections[REPLICA]
        del connections.settings[REPLICA]
        assert REPLICA not in settings.DATABASES  # the same dictionary: nothing left behind
        connections["default"].close()
        default["HOST"], default["PORT"] = shared


@pytest.fixture
def routed(replica_alias, settings):
    """The router and middleware the settings install with DATABASE_REPLICA_URL."""
    settings.DATABASE_ROUTERS = [ROUTER]
    middleware = list(settings.MIDDLEWARE)
    middleware.insert(middleware.index("config.ops.logs.RequestLogMiddleware") + 1, MIDDLEWARE)
    settings.MIDDLEWARE = middleware
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        assert cursor.fetchone()[0], "the replica alias must be a standby"


def replayed() -> None:
    """Wait until the replica has replayed everything the primary has committed so far."""
    with connections[REPLICA].cursor() as cursor:
        replayed_wait(cursor, written=primary_written(), pause=0.02)


@contextmanager
def replay_paused():
    """The replica lags: what the primary writes meanwhile is not replayed until the end."""
    with connections[REPLICA].cursor() as cursor:
        cursor.execute("SELECT pg_wal_replay_pause()")
    try:
        yield
    finally:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_wal_replay_resume()")


@contextmanager
def queries_on_both():
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        yield primary, replica


TOKENS = re.compile(r'\(|\)|\bFROM\s+"?(\w+)"?', re.IGNORECASE)
WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)
PRIMARY_ONLY = ("basket_", "partner_", "order_", "payment_", "income_", "users_", "django_session")


def _main_table(sql: str) -> str | None:
    """The table a SELECT reads from: its outermost FROM (joins and subqueries follow it)."""
    depth = 0
    for token in TOKENS.finditer(sql):
        if token.group(0) == "(":
            depth += 1
        elif token.group(0) == ")":
            depth -= 1
        elif depth == 0:
            return token.group(1)
    return None


def tables_read(queries) -> set[str]:
    return {
        table
        for query in queries.captured_queries
        if query["sql"].lstrip().upper().startswith("SELECT")
        and (table := _main_table(query["sql"]))
    }


def version_read(queries) -> bool:
    """Whether the catalogue's version (marketplace/catalogue/caching.py) was read."""
    return any(
        "(SELECT MAX(date_updated) FROM catalogue_product)" in query["sql"]
        for query in queries.captured_queries
    )


def tables_written(queries) -> set[str]:
    return {m.group(1) for q in queries.captured_queries if (m := WRITE.match(q["sql"]))}


def primary_only(tables: set[str]) -> set[str]:
    return {table for table in tables if table.startswith(PRIMARY_ONLY)}


@on_both
def test_the_catalogue_and_a_product_page_are_read_from_the_replica_and_stock_from_the_primary(
    routed, client
):
    # Given a product written on the primary and replayed by the replica
    product = product_create(title="凉山苦荞茶", price=Decimal("38.00"))
    replayed()

    # When an anonymous visitor opens the catalogue and the product's page
    with queries_on_both() as (primary, replica):
        listing = client.get(reverse("catalogue:index"))
        page = client.get(product.get_absolute_url())

    # Then both show it, the catalogue's reads (its version included) ran on the replica,
    # and the stock records were read from the primary, nothing of the store's on the replica
    assert listing.status_code == 200 and page.status_code == 200
    assert "凉山苦荞茶" in listing.content.decode() and "凉山苦荞茶" in page.content.decode()
    on_replica, on_primary = tables_read(replica), tables_read(primary)
    assert "catalogue_product" in on_replica
    assert version_read(replica) and not version_read(primary)
    assert not {t for t in on_primary if t.startswith(("catalogue_", "producers_"))}
    assert "partner_stockrecord" in on_primary
    assert primary_only(on_replica) == set()


@on_both
def test_a_lagging_replica_keeps_serving_its_own_page_and_the_new_one_once_it_has_replayed(
    routed, client
):
    # Given a product page an anonymous visitor has seen (kept in the page cache)
    product = product_create(title="凉山苦荞茶", price=Decimal("38.00"))
    replayed()
    url = product.get_absolute_url()
    assert "凉山苦荞茶" in client.get(url).content.decode()

    with replay_paused():
        # When the cooperative renames it on the primary while the replica lags
        product.title = "昭觉苦荞茶"
        product.save()

        # Then visitors get the page the replica can give, with the version read from the
        # replica too (not kept under the primary's newer version)
        assert "凉山苦荞茶" in client.get(url).content.decode()

    # And once the replica has replayed the change, they see the new name
    replayed()
    page = client.get(url).content.decode()
    assert "昭觉苦荞茶" in page and "凉山苦荞茶" not in page


@pytest.fixture
def settled_year(china):
    world = east_west_world()
    AgreementFactory(pairing=world["pairing"], year=2025, target_bought=Decimal("1000.00"))
    IndicatorFactory(name="采购额")
    order = bought(product_from(world["zhaojue"], price=Decimal("100.00")), 8)
    return {**world, "order": order}


@on_both
def test_the_evaluators_year_table_and_scorecard_are_read_from_the_replica(
    routed, client, settled_year
):
    # Given a settled order's facts and scorecard, replayed by the replica
    client.force_login(UserFactory(roles=[EVALUATOR]))
    replayed()

    # When an evaluator opens the year's table and the pairing's scorecard
    with queries_on_both() as (primary, replica):
        table = client.get(reverse("evaluation:table-year", args=[2025]))
        card = client.get(reverse("evaluation:scorecard", args=[2025, settled_year["pairing"].pk]))

    # Then they show the year's figures, read from the replica; the session, the user and
    # the basket of the header from the primary
    assert table.status_code == 200 and card.status_code == 200
    assert "¥800.00 / ¥1,000.00" in table.content.decode()
    assert str(settled_year["pairing"]) in card.content.decode()
    on_replica, on_primary = tables_read(replica), tables_read(primary)
    assert {"evaluation_scorecard", "evaluation_evaluationyear"} <= on_replica
    assert not {t for t in on_primary if t.startswith("evaluation_")}
    assert {"django_session", "users_user"} <= on_primary
    assert primary_only(on_replica) == set()


@on_both
def test_an_evaluator_who_locked_the_year_sees_it_locked_while_the_replica_lags(
    routed, client, settled_year
):
    other = client.__class__()
    client.force_login(UserFactory(roles=[EVALUATOR]))
    other.force_login(UserFactory(roles=[EVALUATOR]))
    replayed()
    url = reverse("evaluation:table-year", args=[2025])

    with replay_paused():
        # When an evaluator locks the year (on the primary) while the replica lags
        with queries_on_both() as (primary, replica):
            locked = client.post(reverse("evaluation:lock", args=[2025]))
        assert locked.status_code == 302
        assert replica.captured_queries == []  # a posted form reads the primary only
        assert "evaluation_evaluationyear" in tables_written(primary)
        assert PIN_COOKIE in locked.cookies

        # Then the page they are sent to shows their lock, read from the primary
        with queries_on_both() as (primary, replica):
            theirs = client.get(locked.url).content.decode()
        assert "已于" in theirs and "未锁定" not in theirs
        assert replica.captured_queries == []

        # while another evaluator still reads the replica, which has not replayed it yet
        assert "未锁定" in other.get(url).content.decode()

    # and sees it locked once the replica has replayed it
    replayed()
    assert "已于" in other.get(url).content.decode()


@on_both
def test_baskets_stock_and_the_income_ledger_are_read_and_written_on_the_primary(
    routed, client, settled_year
):
    product = product_create(title="凉山苦荞茶", price=Decimal("38.00"))
    line = settled_year["order"].lines.get()
    code = line_traces_ensure(line_ids=[line.pk])[line.pk]
    replayed()

    # Adding to the basket: a posted form, read and written on the primary only
    with queries_on_both() as (primary, replica):
        added = client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})
    assert added.status_code == 302
    assert replica.captured_queries == []
    assert "basket_line" in tables_written(primary)
    assert PIN_COOKIE not in added.cookies  # nothing the replica serves was changed

    # The basket page: the product from the replica, the basket and its stock from the primary
    with queries_on_both() as (primary, replica):
        basket = client.get(reverse("basket:summary"))
    assert basket.status_code == 200 and "凉山苦荞茶" in basket.content.decode()
    assert "basket_line" in tables_read(primary)
    assert primary_only(tables_read(replica)) == set()

    # The public trace page of a settled line: the ledger from the primary
    with queries_on_both() as (primary, replica):
        trace = client.get(reverse("income:trace", args=[code]))
    assert trace.status_code == 200
    assert "income_linetrace" in tables_read(primary)
    assert primary_only(tables_read(replica)) == set()


@on_both
def test_reads_inside_a_transaction_and_outside_requests_go_to_the_primary(routed):
    product = product_create(title="凉山苦荞茶", price=Decimal("38.00"))
    replayed()
    where = {}

    def view(request):
        with queries_on_both() as (primary, replica):
            Product.objects.get(pk=product.pk)
        where["request"] = (len(primary), len(replica))
        with transaction.atomic(), queries_on_both() as (primary, replica):
            Product.objects.get(pk=product.pk)
        where["transaction"] = (len(primary), len(replica))
        return HttpResponse("ok")

    ReplicaMiddleware(view)(RequestFactory().get("/"))
    with queries_on_both() as (primary, replica):
        Product.objects.get(pk=product.pk)  # a task or a command: no request
    where["outside"] = (len(primary), len(replica))

    assert where == {"request": (0, 1), "transaction": (1, 0), "outside": (1, 0)}


@on_both
def test_health_reports_whether_the_replica_answers(routed, client):
    assert client.get(settings.HEALTH_URL).json()["checks"]["replica"] == "ok"

    # When the replica stops answering (its address now leads nowhere)
    replica = connections.settings[REPLICA]
    connections[REPLICA].close()
    port, replica["PORT"] = replica["PORT"], str(_free_port())
    try:
        response = client.get(settings.HEALTH_URL)
    finally:
        connections[REPLICA].close()
        replica["PORT"] = port

    # Then the load balancer's probe is told
    assert response.status_code == 503
    assert "replica" in response.json()["failing"]


def _settings_in_child(**env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if k != "DATABASE_REPLICA_URL"}
    environment.update(DJANGO_SETTINGS_MODULE="config.settings.test", **env)
    code = (
        "from django.conf import settings; "
        "print(sorted(settings.DATABASES), settings.DATABASE_ROUTERS, "
        f"{MIDDLEWARE!r} in settings.MIDDLEWARE, "
        "settings.DATABASES.get('replica', {}).get('PORT'))"
    )
    done = subprocess.run(  # noqa: S603  this interpreter, fixed code
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


def test_the_replica_is_configured_by_its_url_and_absent_without_it():
    assert _settings_in_child() == "['default'] [] False None"
    assert (
        _settings_in_child(DATABASE_REPLICA_URL="postgres://postgres@127.0.0.1:5433/dongxi")
        == f"['default', 'replica'] [{ROUTER!r}] True 5433"
    )
