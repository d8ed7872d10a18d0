"""Running test suites with their pages' reads on a real streaming replica.

bin/test-through-replica starts a primary cluster and a hot standby of it, and runs the
storefront's, the CMS's and the evaluators' tests with DATABASE_URL on the primary and
DATABASE_REPLICA_URL on the standby. The settings then install config/db_router.py's
router and middleware, so every page a test opens reads what the storefront and the
evaluators' screens show from the standby, as in production.

A standby sees only what the primary committed and it has replayed, so in this mode
(tests/conftest.py registers this module when a `replica` database is configured):
- every database test runs as a transactional test: its writes are committed, and
  afterwards the tables holding rows are emptied and the migrations' rows copied back, in
  one transaction (Django's flush and serialized rollback took 1.3 s a test, this takes
  milliseconds; like the flush, it puts back rows, not sequences or schema);
- a statement on the replica first waits until the standby has replayed everything the
  primary had written (a visitor's page follows the write it was sent to see; the lag
  itself is tested in tests/ops/test_read_replica.py);
- the statement counts of django_assert_num_queries and django_assert_max_num_queries
  are of both databases together (tests/queries.py), so a page's reads moved to the
  replica still count; a task the page enqueued on commit runs inside the request here
  (eagerly, as the test's writes are committed), and its statements are not the page's.
"""

import time
from contextlib import contextmanager
from functools import partial

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test import TransactionTestCase
from pytest_django.fixtures import validate_django_db

from config.db_router import REPLICA
from tests.queries import statements_captured

REPLAY_TIMEOUT_SECONDS = 30


def replica_configured() -> bool:
    return REPLICA in connections.settings


def pytest_collection_modifyitems(items):
    for item in items:
        marker = item.get_closest_marker("django_db")
        # pytest-django's fixtures that reach the database all go through its helper.
        if marker is None and "_django_db_helper" not in getattr(item, "fixturenames", ()):
            continue
        _, reset_sequences, databases, serialized_rollback, available_apps = (
            validate_django_db(marker) if marker else (False, False, None, False, None)
        )
        if databases != "__all__":
            databases = sorted({*(databases or ()), DEFAULT_DB_ALIAS, REPLICA})
        rewritten = pytest.mark.django_db(
            transaction=True,
            reset_sequences=reset_sequences,
            databases=databases,
            serialized_rollback=serialized_rollback,
            available_apps=available_apps,
        )
        item.add_marker(rewritten, append=False)


def _filled_tables(cursor, tables: list[str]) -> list[str]:
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    # Table names come from the models, never from input (here and below).
    rows = ", ".join(f"(%s, EXISTS (SELECT 1 FROM {quote(table)}))" for table in tables)  # noqa: S608
    sql = f"SELECT name FROM (VALUES {rows}) AS t(name, filled) WHERE filled"  # noqa: S608
    cursor.execute(sql, tables)
    return [name for (name,) in cursor.fetchall()]


class _Snapshot:
    """The rows the migrations wrote, as COPY data per table, and the way back to them."""

    def __init__(self, connection):
        self.connection = connection
        with connection.cursor() as cursor:
            self.tables = connection.introspection.django_table_names(
                only_existing=True, include_views=False
            )
            self.rows = {}
            for table in _filled_tables(cursor, self.tables):
                name = connection.ops.quote_name(table)
                with cursor.cursor.copy(f"COPY (SELECT * FROM {name}) TO STDOUT") as copy:  # noqa: S608
                    self.rows[name] = b"".join(copy)

    def restore(self) -> None:
        quote = self.connection.ops.quote_name
        with transaction.atomic(using=self.connection.alias), self.connection.cursor() as cursor:
            # Django's foreign keys are deferrable: the order of the deletes does not matter.
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            filled = [quote(table) for table in _filled_tables(cursor, self.tables)]
            if filled:
                cursor.execute("; ".join(f"DELETE FROM {name}" for name in filled))  # noqa: S608
            for name, data in self.rows.items():
                with cursor.cursor.copy(f"COPY {name} FROM STDIN") as copy:
                    copy.write(data)


@pytest.fixture(scope="session", autouse=True)
def migrations_snapshot(django_db_setup, django_db_blocker):
    """After each test, the primary's rows as the migrations left them (in place of Django's
    flush)."""
    with django_db_blocker.unblock():
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery()")
            if not cursor.fetchone()[0]:
                pytest.exit("DATABASE_REPLICA_URL is not a standby", returncode=1)
        snapshot = _Snapshot(connections[DEFAULT_DB_ALIAS])

    def fixture_teardown(self):
        for alias in self._databases_names(include_mirrors=False):
            assert alias == DEFAULT_DB_ALIAS, alias
            snapshot.restore()

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(TransactionTestCase, "_fixture_teardown", fixture_teardown)
        yield


def primary_written() -> str:
    """The primary's WAL position now, read on its raw connection (no test counts it)."""
    primary = connections[DEFAULT_DB_ALIAS]
    primary.ensure_connection()
    with primary.connection.cursor() as cursor:
        # Flushed, not inserted: a commit is flushed before it returns, and a walsender
        # sends only what is flushed.
        cursor.execute("SELECT pg_current_wal_flush_lsn()")
        return cursor.fetchone()[0]


def replayed_wait(cursor, *, written: str, pause: float = 0.002) -> None:
    """Wait, asking through `cursor` on the standby, until it has replayed the primary's
    WAL up to `written`; fail the test after REPLAY_TIMEOUT_SECONDS."""
    deadline = time.monotonic() + REPLAY_TIMEOUT_SECONDS
    while True:
        cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [written])
        if cursor.fetchone()[0]:
            return
        if time.monotonic() > deadline:
            pytest.fail(f"the replica did not replay {written} in {REPLAY_TIMEOUT_SECONDS} s")
        time.sleep(pause)


_served: dict[str, int] = {}  # statements the standby served, by test file
_deselected: set[str] = set()  # files some of whose tests a selection left out
_current: dict = {"file": ""}  # the running test's file, and the session


def _replayed_wait(execute, sql, params, many, context):
    _served[_current["file"]] = _served.get(_current["file"], 0) + 1
    with context["connection"].connection.cursor() as cursor:  # raw: not itself waited for
        replayed_wait(cursor, written=primary_written())
    return execute(sql, params, many, context)


@pytest.fixture(autouse=True)
def replica_follows_primary(request):
    if request.node.get_closest_marker("django_db") is None:  # every database test has one
        yield
        return
    _current["file"] = request.node.path.as_posix()
    with connections[REPLICA].execute_wrapper(_replayed_wait):
        yield


@contextmanager
def _queries_on_both(config, num, exact=True, connection=None, info=None, *, using=None):
    if connection is not None or using is not None:
        raise ValueError("through the replica, a count is of both databases together")
    with statements_captured() as captured:
        yield captured
    performed = len(captured)
    if performed == num or (not exact and performed < num):
        return
    on_primary, on_replica = captured.of(DEFAULT_DB_ALIAS), captured.of(REPLICA)
    message = f"Expected {num} queries{'' if exact else ' or less'} but {performed} were done"
    message += f" ({len(on_primary)} on the primary, {len(on_replica)} on the replica)"
    if info:
        message += f"\n{info}"
    if config.getoption("verbose") > 0:
        for alias, queries in ((DEFAULT_DB_ALIAS, on_primary), (REPLICA, on_replica)):
            message += f"\n\n{alias}:\n" + "\n\n".join(q["sql"] for q in queries)
    pytest.fail(message)


@pytest.fixture
def django_assert_num_queries(pytestconfig):
    return partial(_queries_on_both, pytestconfig)


@pytest.fixture
def django_assert_max_num_queries(pytestconfig):
    return partial(_queries_on_both, pytestconfig, exact=False)


def _unserved(session) -> list[str]:
    """The paths the run was given whose tests sent no statement to the standby (but for
    those a selection cut into)."""
    root = session.config.rootpath
    unserved = []
    for arg in session.config.args:
        path = (root / arg.split("::")[0]).resolve().as_posix()
        if not _under(_served, path) and not _under(_deselected, path):
            unserved.append(arg)
    return unserved


def _under(files, path: str) -> bool:
    return any(f == path or f.startswith(path + "/") for f in files)


def pytest_sessionstart(session):
    _current["session"] = session


def pytest_deselected(items):
    # A selection (-k, -m) may keep only tests of a file that read nothing on the standby.
    _deselected.update(item.path.as_posix() for item in items)


def pytest_terminal_summary(terminalreporter):
    served = sum(_served.values())
    terminalreporter.write_line(
        f"through the replica: {served} statements were read on the standby"
    )
    for arg in _unserved(_current["session"]):
        terminalreporter.write_line(
            f"through the replica: none for {arg}; the run fails (its pages never reached it)"
        )


def pytest_sessionfinish(session, exitstatus):
    # A suite whose pages never reached the standby tested nothing of it.
    if session.testscollected and exitstatus == 0 and _unserved(session):
        session.exitstatus = 1
