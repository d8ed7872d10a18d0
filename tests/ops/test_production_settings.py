"""Production never settles in the web request: without a broker it does not start."""

import pytest

from tests.config.test_deploy_check import manage, production_env  # noqa: F401  fixture


@pytest.mark.parametrize("broker", ["", "memory://"])
def test_production_settings_refuse_to_start_without_a_broker(production_env, broker):  # noqa: F811
    # Given production settings with every secret but no real broker
    production_env["CELERY_BROKER_URL"] = broker

    # When anything loads them
    result = manage("check", env=production_env)

    # Then they refuse, saying why
    assert result.returncode != 0
    assert "refuse to start without CELERY_BROKER_URL" in result.stderr
    assert "settlement would run eagerly" in result.stderr


def test_production_settings_send_settlement_to_the_workers_queue(production_env):  # noqa: F811
    code = (
        "from django.conf import settings; "
        "print(settings.CELERY_TASK_ALWAYS_EAGER, "
        "settings.CELERY_TASK_ROUTES['producers.income.tasks.settlement_allocate_task'], "
        "settings.CELERY_BEAT_SCHEDULER)"
    )

    result = manage("shell", "-c", code, env=production_env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == [
        "False",
        "{'queue':",
        "'settlement'}",
        "django_celery_beat.schedulers:DatabaseScheduler",
    ]


def test_the_procfile_runs_web_worker_and_beat_on_production_queues():
    from django.conf import settings

    procfile = (settings.BASE_DIR / "Procfile").read_text(encoding="utf-8")
    processes = dict(
        line.split(":", 1) for line in procfile.splitlines() if line and not line.startswith("#")
    )

    assert set(processes) == {"web", "worker", "beat"}
    assert "gunicorn config.wsgi:application" in processes["web"]
    assert "--queues settlement,nightly,celery" in processes["worker"]
    assert "django_celery_beat.schedulers:DatabaseScheduler" in processes["beat"]


@pytest.mark.parametrize(
    ("cache", "engine"),
    [("redis://127.0.0.1:6379/0", "cached_db"), ("", "db")],
    ids=["shared cache", "no shared cache"],
)
def test_production_sessions_are_read_from_the_cache_only_when_every_worker_shares_it(
    production_env,  # noqa: F811
    cache,
    engine,
):
    production_env["REDIS_CACHE_URL"] = cache
    code = "from django.conf import settings; print(settings.SESSION_ENGINE)"

    result = manage("shell", "-c", code, env=production_env)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == f"django.contrib.sessions.backends.{engine}"
