"""The health endpoint a load balancer probes: 200 while every part is well, 503 naming the
part that is not (the broker unreachable, beat or the worker not seen)."""

import socket
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from config.ops.heartbeat import heartbeat_record

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def with_broker(settings):
    """Tasks go to a broker (as in production); yields a setter for its URL."""
    settings.CELERY_TASK_ALWAYS_EAGER = False

    def use(url: str) -> None:
        settings.CELERY_BROKER_URL = url

    use("memory://")
    return use


def _beat_and_worker_seen(*, beat_ago: float = 5, worker_ago: float = 5) -> None:
    heartbeat_record(part="beat", at=time.time() - beat_ago)
    heartbeat_record(part="worker", at=time.time() - worker_ago)


def test_healthy_when_every_part_answers(client, with_broker):
    _beat_and_worker_seen()

    response = client.get("/health/")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "failing": [],
        "checks": dict.fromkeys(["database", "cache", "broker", "storage", "beat", "worker"], "ok"),
    }
    assert response["Cache-Control"] == "no-store"


def test_unhealthy_naming_the_broker_when_it_is_unreachable(client, with_broker):
    # Given beat and a worker seen, but the broker's address a closed port
    _beat_and_worker_seen()
    with_broker(f"redis://127.0.0.1:{_closed_port()}/0")

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]
    assert response.json()["status"] == "unhealthy"


def test_unhealthy_naming_beat_when_it_was_not_seen_recently(client, with_broker, settings):
    settings.HEALTH_HEARTBEAT_MAX_AGE = 180
    _beat_and_worker_seen(beat_ago=600)

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["failing"] == ["beat"]
    assert response.json()["checks"]["beat"] == "last seen 600 s ago (limit 180 s)"


def test_unhealthy_naming_beat_and_worker_when_never_seen(client, with_broker):
    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["failing"] == ["beat", "worker"]
    assert response.json()["checks"]["worker"] == "never seen"


def test_the_probe_needs_no_allowed_host_nor_https(client, with_broker, settings):
    # A load balancer probes the node by address over plain HTTP
    settings.ALLOWED_HOSTS = ["dongxi.example"]
    settings.SECURE_SSL_REDIRECT = True
    _beat_and_worker_seen()

    response = client.get("/health/", HTTP_HOST="10.0.0.7:8000")

    assert response.status_code == 200


def test_the_shell_command_fails_naming_the_broker(with_broker, capsys):
    _beat_and_worker_seen()
    with_broker(f"redis://127.0.0.1:{_closed_port()}/0")

    with pytest.raises(CommandError, match="unhealthy: broker"):
        call_command("health_check")

    assert "database  ok" in capsys.readouterr().out


def test_the_shell_command_passes_when_healthy(with_broker, capsys):
    _beat_and_worker_seen()

    call_command("health_check")

    assert capsys.readouterr().out.strip().endswith("healthy")
