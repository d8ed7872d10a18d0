"""A Celery worker killed (SIGKILL) in the middle of a task, and the broker restarted while
the next worker runs. Tasks are acks_late: what a dead worker had taken goes back to the queue
and runs again, and the services are idempotent, so every settled payment ends with its
ledger entries and purchase facts exactly once.

The test runs its own redis-server (append-only file on, so queued messages outlive the
restart; the machine's shared Redis is never touched) and real worker processes against the
test database, which they share with the test: PostgreSQL only."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
import redis
from django.db import connection
from django.db.models import Count, Sum
from oscar.core.loading import get_model

from config.celery import app
from evaluation.models import PurchaseFact
from marketplace.payment import gateway
from marketplace.payment.services import order_place_for_payment
from producers.income.models import LedgerEntry, ProcessedEvent
from tests.factories import UserFactory
from tests.marketplace.checkout.conftest import basket_with, start_payment
from tests.marketplace.checkout.stripe_fake import FakeStripe

from .conftest import ON_POSTGRES, cooperative_with_households

PaymentEvent = get_model("order", "PaymentEvent")

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server")
WORKER_APP_NAME = "dongxi-fault-worker"
# Short enough for the test to see a dead worker's messages come back within seconds.
TRANSPORT_OPTIONS = {
    "visibility_timeout": 3,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
SETTLED_BEFORE_KILL = 6
SETTLED_AFTER_RESTART = 2
UNITS = 2

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not ON_POSTGRES,
        reason="worker processes share the test's database: PostgreSQL (set DATABASE_URL)",
    ),
    pytest.mark.skipif(REDIS_SERVER is None, reason="needs redis-server on PATH for a broker"),
]

# The worker: the project's Celery app with the short visibility timeout, optionally made
# slow inside the transactions of the income and evaluation services (so that a kill lands
# in the middle of one).
WORKER = """
import os, time
from celery.signals import task_prerun
from config.celery import app

app.conf.broker_transport_options = {transport_options}
pause = float(os.environ.get("FAULT_PAUSE_IN_TRANSACTION", "0"))
patched = []

def slow(module, name):
    original = getattr(module, name, None)
    if original is None:
        return
    def slowed(*args, **kwargs):
        result = original(*args, **kwargs)
        time.sleep(pause)
        return result
    setattr(module, name, slowed)

@task_prerun.connect
def make_slow(**kwargs):
    if pause and not patched:
        from evaluation.services import facts
        from producers.income.services import allocation
        slow(allocation, "rows_append")
        slow(facts, "facts_write")
        patched.append(True)

app.worker_main(["worker", "--pool=solo", "--loglevel=info", "--without-heartbeat",
                 "--without-gossip", "--without-mingle", "-n", os.environ["WORKER_NAME"]])
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Broker:
    """A redis-server of this test's own, restartable, keeping its data in an append-only
    file written on every command."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None
        self.restarts = 0

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603  redis-server found on PATH, fixed arguments
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "yes",
                "--appendfsync",
                "always",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = self.client()
        deadline = time.monotonic() + 20
        while True:
            try:
                if client.ping():
                    return
            except redis.exceptions.RedisError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("redis-server did not start")
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)

    def restart(self) -> None:
        self.stop()
        self.start()
        self.restarts += 1

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=5)

    def messages(self) -> dict[str, int]:
        client = self.client()
        return {"queued": client.llen("celery"), "unacked": client.hlen("unacked")}

    def unacked_tasks(self) -> dict[str, str]:
        """The tasks taken but not acknowledged: {task id: task name}."""
        tasks = {}
        for raw in self.client().hvals("unacked"):
            headers = json.loads(raw)[0]["headers"]
            tasks[headers["id"]] = headers["task"]
        return tasks


@pytest.fixture
def broker(tmp_path):
    server = Broker(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def broker_dispatch(broker):
    """Tasks go to the test's own broker instead of running in-process, for this test."""
    conf = app.conf
    names = ("task_always_eager", "broker_url", "broker_write_url", "broker_read_url")
    previous = {name: conf[name] for name in (*names, "broker_transport_options")}
    conf.update(
        task_always_eager=False,
        broker_url=broker.url,
        broker_write_url=broker.url,  # resolved from the settings' broker at start-up
        broker_read_url=broker.url,
        broker_transport_options=TRANSPORT_OPTIONS,
    )
    app._pool = None
    app.amqp._producer_pool = None
    yield
    conf.update(previous)
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def workers(broker, tmp_path):
    """Starts real workers on the test database and the test's broker; kills what is left."""
    started: list[subprocess.Popen] = []
    database = connection.settings_dict
    credentials = database["USER"] + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
    test_url = (
        f"postgres://{credentials}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{database['NAME']}"
    )
    script = WORKER.format(transport_options=TRANSPORT_OPTIONS)

    def start(name: str, *, pause_in_transaction: float = 0.0) -> subprocess.Popen:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.local",
            "DATABASE_URL": test_url,
            "CELERY_BROKER_URL": broker.url,
            "PGAPPNAME": WORKER_APP_NAME,
            "WORKER_NAME": f"{name}@faults",
            "FAULT_PAUSE_IN_TRANSACTION": str(pause_in_transaction),
        }
        with open(process_log := tmp_path / f"{name}.log", "w") as log:
            process = subprocess.Popen(  # noqa: S603  our own worker, fixed arguments
                [sys.executable, "-c", script],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        process.log_path = process_log
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=20)


@pytest.fixture
def stripe_fake():
    fake = FakeStripe()
    gateway.http_client_install(fake)
    yield fake
    gateway.http_client_install(None)


def _settle(stripe_fake, product, count: int) -> None:
    """`count` customers pay for UNITS of the product; each settlement is announced on
    commit, which sends the income and evaluation tasks to the broker."""
    for _ in range(count):
        customer = UserFactory()
        attempt = start_payment(customer, basket_with(customer, [(product, UNITS)]))
        stripe_fake.succeed(attempt.payment_intent_id)
        assert order_place_for_payment(payment_intent_id=attempt.payment_intent_id)


def _wait_for(condition, *, timeout: float, process=None, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process is not None and process.poll() is not None:
            pytest.fail(f"the worker died before {what}:\n{process.log_path.read_text()}")
        if time.monotonic() > deadline:
            logs = process.log_path.read_text()[-4000:] if process is not None else ""
            pytest.fail(f"timed out waiting for {what}\n{logs}")
        time.sleep(0.1)


def _worker_inside_a_transaction() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE application_name = %s AND state = 'idle in transaction'",
            [WORKER_APP_NAME],
        )
        return cursor.fetchone()[0] > 0


def _paid_events():
    return PaymentEvent.objects.filter(event_type__code="paid")


def _all_recorded(expected: int):
    def check() -> bool:
        events = _paid_events()
        return (
            events.count() == expected
            and ProcessedEvent.objects.filter(payment_event__in=events).count() == expected
            and PurchaseFact.objects.filter(payment_event__in=events).count() == expected
        )

    return check


@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_and_a_restarted_broker_lose_nothing_and_double_nothing(
    china, broker, broker_dispatch, workers, stripe_fake, fault_count
):
    # Given a worker that is slow inside its transactions, and payments settling
    product = cooperative_with_households()
    first = workers("first", pause_in_transaction=1.0)
    _settle(stripe_fake, product, SETTLED_BEFORE_KILL)
    _wait_for(
        lambda: ProcessedEvent.objects.exists() and _worker_inside_a_transaction(),
        timeout=90,
        process=first,
        what="the first worker to be inside a task's transaction",
    )

    # When it is killed in the middle of a task, with tasks in flight
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=20)
    fault_count(1)
    in_flight = broker.unacked_tasks()
    assert in_flight, "the killed worker held no unacknowledged task"
    recorded_at_kill = ProcessedEvent.objects.count()
    assert recorded_at_kill < SETTLED_BEFORE_KILL

    # And a new worker starts, and the broker restarts under it
    second = workers("second")
    _wait_for(
        lambda: ProcessedEvent.objects.count() > recorded_at_kill,
        timeout=90,
        process=second,
        what="the second worker to take over",
    )
    os.kill(second.pid, signal.SIGSTOP)  # frozen, so that the queue holds still to compare
    before_restart = broker.messages()
    broker.restart()
    fault_count(1)
    assert broker.messages() == before_restart  # the append-only file kept every message
    os.kill(second.pid, signal.SIGCONT)  # its connection is gone: it has to reconnect

    # And more payments settle after the restart (the store reconnects to the broker)
    _settle(stripe_fake, product, SETTLED_AFTER_RESTART)

    # Then every settled payment ends up on the ledger and in the facts
    total = SETTLED_BEFORE_KILL + SETTLED_AFTER_RESTART
    _wait_for(_all_recorded(total), timeout=120, process=second, what="every payment recorded")

    # exactly once: one processed record and one fact per payment, and every payment's
    # ledger is the same (a payment allocated twice would have twice the entries)
    events = _paid_events()
    assert ProcessedEvent.objects.filter(payment_event__in=events).count() == total
    facts = PurchaseFact.objects.filter(payment_event__in=events)
    assert set(facts.values_list("amount", flat=True)) == {Decimal("76.00")}
    ledgers = set(
        LedgerEntry.objects.filter(payment_event__in=events)
        .values("payment_event")
        .annotate(entries=Count("pk"), amount=Sum("amount"))
        .values_list("entries", "amount")
    )
    assert len(ledgers) == 1
    [(entries, amount)] = ledgers
    assert entries > 0 and Decimal("0") < amount <= Decimal("76.00")
    assert (
        LedgerEntry.objects.filter(payment_event__in=events)
        .values("payment_event")
        .distinct()
        .count()
        == total
    )
    # and the dead worker's unacknowledged tasks were delivered again, to the second worker,
    # which outlived the broker's restart
    assert second.poll() is None
    second_log = second.log_path.read_text()
    for task_id, name in in_flight.items():
        assert f"{name}[{task_id}] received" in second_log
