"""Production settings pass Django's deployment checks and refuse weak secrets."""

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def random_secret(length: int = 64) -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(length))


@pytest.fixture
def production_env(tmp_path) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if name
        not in {"DEBUG", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=random_secret(),
        FIELD_ENCRYPTION_KEY=random_secret(),
        ALLOWED_HOSTS="dongxi.example",
        DATABASE_URL=f"sqlite:///{tmp_path / 'dongxi.sqlite3'}",
        DONGXI_VAR_DIR=str(tmp_path / "var"),
    )
    return env


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603  fixed arguments, no shell
        [sys.executable, "manage.py", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check_without_warnings(production_env):
    # Given production settings with production-like secrets and hosts
    # When Django's deployment checklist runs, failing on warnings
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env)

    # Then it exits cleanly and reports no issue at all
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNING" not in result.stderr


@pytest.mark.parametrize(
    "secret_key",
    [
        pytest.param("too-short-a-secret", id="short"),
        pytest.param("django-insecure-" + random_secret(60), id="insecure"),
    ],
)
def test_production_settings_refuse_a_weak_secret_key(production_env, secret_key):
    # Given a weak SECRET_KEY
    production_env["SECRET_KEY"] = secret_key

    # When the production settings are loaded
    result = manage("check", env=production_env)

    # Then they refuse to load and say why
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize("name", ["SECRET_KEY", "FIELD_ENCRYPTION_KEY"])
def test_production_settings_refuse_to_load_without_a_secret(production_env, name):
    del production_env[name]

    result = manage("check", env=production_env)

    assert result.returncode != 0
    assert name in result.stderr
