"""One task end to end through a real Celery worker on the real broker (Redis in CI)."""

import datetime
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from oscar.core.loading import get_model

from config.celery import app
from marketplace.catalogue.tasks import certificates_expire_task
from tests.store_factories import product_create

ProductCertificate = get_model("catalogue", "ProductCertificate")
ROOT = Path(__file__).resolve().parent.parent


def _broker_reachable(url: str) -> bool:
    parsed = urlparse(url)
    if parsed.scheme not in {"redis", "amqp"}:
        return False
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


BROKER = os.environ.get("CELERY_BROKER_URL", "")
# The worker listens on a queue of this run only: a shared broker may hold messages that
# other processes left on the default queue (a demo's or a benchmark's page views), and a
# solo worker would have to work through all of them before it reached this test's task.
QUEUE = f"worker-test-{os.getpid()}-{time.monotonic_ns()}"
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="a worker process needs a database it can share: PostgreSQL (set DATABASE_URL)",
    ),
    pytest.mark.skipif(
        not _broker_reachable(BROKER),
        reason="needs a running broker in CELERY_BROKER_URL (redis://…)",
    ),
]


@pytest.fixture
def worker():
    """A real worker against the test database and the broker; stopped after the test."""
    database = settings.DATABASES["default"]
    test_url = (
        f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
        f"{database['PORT'] or 5432}/{connection.settings_dict['NAME']}"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": test_url,
        "CELERY_BROKER_URL": BROKER,
    }
    process = subprocess.Popen(  # noqa: S603  our own worker, fixed arguments
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            f"--queues={QUEUE}",
            "--loglevel=warning",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    yield process
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture
def broker_dispatch():
    """Send tasks to the broker instead of running them in-process, for this test only."""
    previous = app.conf.task_always_eager, app.conf.broker_url
    app.conf.task_always_eager, app.conf.broker_url = False, BROKER
    yield
    app.conf.task_always_eager, app.conf.broker_url = previous


@pytest.mark.django_db(transaction=True)
def test_nightly_expiry_runs_in_a_real_worker(worker, broker_dispatch):
    # Given a certificate whose validity ended yesterday, committed to the database
    product = product_create(valid_to=timezone.localdate() - datetime.timedelta(days=1))
    certificate = product.certificates.get()

    # When the nightly task is sent through the broker
    certificates_expire_task.apply_async(queue=QUEUE)

    # Then the worker expires it
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        certificate.refresh_from_db()
        if certificate.state == ProductCertificate.State.EXPIRED:
            break
        assert worker.poll() is None, worker.stdout.read()
        time.sleep(0.5)
    assert certificate.state == ProductCertificate.State.EXPIRED
    assert certificate.events.filter(to_state=ProductCertificate.State.EXPIRED).count() == 1
