"""Production settings pass Django's deployment checks and refuse weak secrets, missing
ones and the demo's published ones (Stripe keys, bank account, site address); under any
settings `check --deploy` names a demo or missing one."""

import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest

from config.settings.deployment import DEMO_VALUES, REQUIRED

REPO_ROOT = Path(__file__).resolve().parents[2]


def random_secret(length: int = 64) -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(length))


def random_secret_token() -> str:
    return secrets.token_urlsafe(24).replace("-", "x")


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
        STRIPE_SECRET_KEY="sk_live_" + random_secret_token(),
        STRIPE_PUBLISHABLE_KEY="pk_live_" + random_secret_token(),
        STRIPE_WEBHOOK_SECRET="whsec_" + random_secret_token(),
        PLATFORM_BANK_ACCOUNT_NAME="东西消费帮扶平台（杭州）有限公司",
        PLATFORM_BANK_NAME="中国银行杭州分行营业部",
        PLATFORM_BANK_ACCOUNT_NUMBER="3581 5820 0000 7777",
        WAGTAILADMIN_BASE_URL="https://dongxi.example",
        ALLOWED_HOSTS="dongxi.example",
        DATABASE_URL=f"sqlite:///{tmp_path / 'dongxi.sqlite3'}",
        DONGXI_VAR_DIR=str(tmp_path / "var"),
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
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


@pytest.mark.parametrize("name", REQUIRED)
def test_production_settings_refuse_to_load_without_a_secret(production_env, name):
    del production_env[name]

    result = manage("check", env=production_env)

    assert result.returncode != 0
    assert f"Set the {name} environment variable." in result.stderr


@pytest.mark.parametrize("name", DEMO_VALUES)
def test_production_settings_refuse_the_published_demo_values(production_env, name):
    # Given production settings with one value left at the demo's, published in the repo
    production_env[name] = DEMO_VALUES[name]

    # When Django's deployment checklist runs
    result = manage("check", "--deploy", env=production_env)

    # Then the site does not start and says which value is the demo's
    assert result.returncode != 0
    assert f"{name} is still the published demo value" in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        pytest.param("FIELD_ENCRYPTION_KEY", "x", id="one-character-encryption-key"),
        pytest.param("FIELD_ENCRYPTION_KEY", "a" * 40, id="repetitive-encryption-key"),
        pytest.param("STRIPE_SECRET_KEY", "pk_live_" + "k" * 24, id="publishable-as-secret"),
        pytest.param("STRIPE_WEBHOOK_SECRET", "sk_live_" + "k" * 24, id="api-key-as-webhook"),
        pytest.param("WAGTAILADMIN_BASE_URL", "dongxi.example", id="site-address-not-a-url"),
    ],
)
def test_production_settings_refuse_values_that_cannot_be_real(production_env, name, value):
    production_env[name] = value

    result = manage("check", env=production_env)

    assert result.returncode != 0
    assert f"{name} must be" in result.stderr


@pytest.mark.parametrize("name", DEMO_VALUES)
def test_the_deploy_check_names_a_demo_value_under_any_settings(production_env, name):
    # Given the demo's settings module, deployed with real values except one left to default
    production_env.update(DJANGO_SETTINGS_MODULE="config.settings.local", STRIPE_LOCALSTRIPE="0")
    del production_env[name]

    # When Django's deployment checklist runs
    result = manage("check", "--deploy", env=production_env)

    # Then it fails, naming the value still at the demo's
    assert result.returncode != 0
    assert f"{name}: (dongxi.E001) {name} is still the published demo value" in result.stderr


def test_the_deploy_check_refuses_localstripe_card_handling(production_env):
    production_env.update(DJANGO_SETTINGS_MODULE="config.settings.local", STRIPE_LOCALSTRIPE="1")

    result = manage("check", "--deploy", env=production_env)

    assert result.returncode != 0
    assert "STRIPE_LOCALSTRIPE: (dongxi.E001)" in result.stderr


def test_production_keeps_database_connections_unless_told_not_to(production_env):
    show = (
        "from django.conf import settings; d = settings.DATABASES['default'];"
        " print(d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS'])"
    )
    production_env.pop("DATABASE_CONN_MAX_AGE", None)
    assert manage("shell", "-c", show, env=production_env).stdout.split()[-2:] == ["60", "True"]
    production_env["DATABASE_CONN_MAX_AGE"] = "0"
    assert manage("shell", "-c", show, env=production_env).stdout.split()[-2:] == ["0", "True"]
