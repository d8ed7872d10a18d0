"""The production-shaped stack as `make prod` starts it (the Procfile under honcho: gunicorn on
production settings with collected static files, a Celery worker on the settlement, nightly
and default queues, beat on django-celery-beat's schedule) on PostgreSQL, Redis and
localstripe. It becomes healthy, sells a product over HTTP, the worker (not the web process)
settles it into the ledger and the purchase facts, and the stack stops cleanly."""

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import psycopg
import pytest
import requests
from django.conf import settings
from django.urls import reverse

from tests.marketplace.checkout.addresses import CHINESE_ADDRESS
from tests.marketplace.checkout.conftest import _free_port, localstripe_url  # noqa: F401

from .conftest import database_url

ROOT = Path(settings.BASE_DIR)
BROKER = os.environ.get("CELERY_BROKER_URL", "")
SETTLEMENT_TASKS = (
    "producers.income.tasks.settlement_allocate_task",
    "evaluation.tasks.purchase_facts_settle_task",
)


def _redis_reachable(url: str) -> bool:
    parsed = urlparse(url)
    if parsed.scheme != "redis":
        return False
    try:
        with socket.create_connection((parsed.hostname, parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


pytestmark = [
    pytest.mark.postgres,
    pytest.mark.integration,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="the stack runs on PostgreSQL (set DATABASE_URL)",
    ),
    pytest.mark.skipif(
        not _redis_reachable(BROKER), reason="needs Redis in CELERY_BROKER_URL (redis://…)"
    ),
]


@pytest.fixture
def fresh_database(database_copy):
    return database_url(database_copy("stack"))


def _redis_database(url: str, number: int) -> str:
    parsed = urlparse(url)
    return f"redis://{parsed.hostname}:{parsed.port or 6379}/{number}"


@pytest.fixture
def stack_env(fresh_database, localstripe_url, tmp_path):  # noqa: F811
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST", "STRIPE_", "DJANGO_"))
    }
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DATABASE_URL=fresh_database,
        # Databases of the same Redis that no other test uses, emptied first: no task left
        # by another test reaches this worker.
        CELERY_BROKER_URL=_redis_database(BROKER, 13),
        REDIS_CACHE_URL=_redis_database(BROKER, 14),
        SECRET_KEY=secrets.token_urlsafe(50),
        FIELD_ENCRYPTION_KEY=secrets.token_urlsafe(40),
        STRIPE_SECRET_KEY="sk_test_" + secrets.token_hex(12),
        STRIPE_PUBLISHABLE_KEY="pk_test_" + secrets.token_hex(12),
        STRIPE_WEBHOOK_SECRET="whsec_" + secrets.token_hex(12),
        STRIPE_API_BASE=localstripe_url,
        PLATFORM_BANK_ACCOUNT_NAME="东西消费帮扶平台（测试）",
        PLATFORM_BANK_NAME="测试银行",
        PLATFORM_BANK_ACCOUNT_NUMBER="0000 0000 0000 0013",
        WAGTAILADMIN_BASE_URL="http://127.0.0.1",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        # var/ persists across runs: collectstatic then copies only what changed.
        STATIC_ROOT=str(ROOT / "var" / "test-stack-static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        PRIVATE_MEDIA_ROOT=str(tmp_path / "private"),
        HEALTH_HEARTBEAT_SECONDS="5",
        WEB_CONCURRENCY="2",
        WORKER_CONCURRENCY="1",
        PYTHONUNBUFFERED="1",
    )
    import redis

    for url in (env["CELERY_BROKER_URL"], env["REDIS_CACHE_URL"]):
        redis.Redis.from_url(url).flushdb()
    return env


def _run(args: list[str], env: dict[str, str], *, timeout: int = 600) -> str:
    done = subprocess.run(  # noqa: S603  our own interpreter and modules, fixed arguments
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture
def stack(stack_env, tmp_path):
    """The Procfile under honcho, as bin/prod starts it; yields its URL, log and world."""
    env = stack_env
    _run(["manage.py", "collectstatic", "--noinput", "-v0"], env)
    world_env = {**env, "DJANGO_SETTINGS_MODULE": "config.settings.local"}
    world = json.loads(
        _run(["-c", "from tests.ops.stack_world import main; main()"], world_env).splitlines()[-1]
    )
    port = _free_port()
    log = tmp_path / "stack.log"
    with open(log, "wb") as output:
        honcho = subprocess.Popen(  # noqa: S603  our own Procfile, fixed arguments
            [sys.executable, "-m", "honcho", "start", "--no-colour", "-p", str(port)],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    stack = {"url": f"http://127.0.0.1:{port}", "log": log, "honcho": honcho, "port": port}
    try:
        yield {**stack, **world, "env": env}
    finally:
        if honcho.poll() is None:
            os.killpg(honcho.pid, signal.SIGKILL)
            honcho.wait()


def _wait_healthy(stack, seconds: float = 240) -> dict:
    deadline, last = time.monotonic() + seconds, None
    while time.monotonic() < deadline:
        assert stack["honcho"].poll() is None, stack["log"].read_text(errors="replace")[-4000:]
        try:
            response = requests.get(stack["url"] + settings.HEALTH_URL, timeout=10)
            last = response.json()
            if response.status_code == 200:
                return last
        except (requests.RequestException, ValueError):
            pass
        time.sleep(1)
    pytest.fail(f"not healthy in {seconds} s: {last}\n{stack['log'].read_text()[-4000:]}")


class Browser:
    """A signed-in customer's requests. Production cookies are Secure and this is plain HTTP
    on the loopback (as a browser allows for localhost): the cookies are sent back anyway."""

    def __init__(self, base: str, session_key: str):
        self.base = base
        self.http = requests.Session()
        self.http.cookies.set(settings.SESSION_COOKIE_NAME, session_key, domain="127.0.0.1")

    def send(self, method: str, path: str, *, follow: bool = False, **kwargs):
        for cookie in self.http.cookies:
            cookie.secure = False
        csrf = self.http.cookies.get(settings.CSRF_COOKIE_NAME)
        if method == "POST" and csrf:
            kwargs.setdefault("headers", {})["X-CSRFToken"] = csrf
        response = self.http.request(
            method, self.base + path, timeout=60, allow_redirects=False, **kwargs
        )
        assert response.status_code < 500, f"{method} {path} → {response.status_code}"
        if follow and response.status_code in (301, 302, 303):
            return self.send(
                "GET", response.headers["Location"].removeprefix(self.base), follow=True
            )
        return response


def _pay_at_localstripe(stripe_url: str, secret_key: str, intent_id: str) -> str:
    """What Stripe.js does in the customer's browser: confirm the PaymentIntent with a card."""
    auth = (secret_key, "")
    method = requests.post(
        f"{stripe_url}/v1/payment_methods",
        data={
            "type": "card",
            "card[number]": "4242424242424242",
            "card[exp_month]": "12",
            "card[exp_year]": "2030",
            "card[cvc]": "123",
        },
        auth=auth,
        timeout=30,
    ).json()
    # localstripe refuses a payment method given on confirm: attach it first (as the gateway).
    requests.post(
        f"{stripe_url}/v1/payment_intents/{intent_id}",
        data={"payment_method": method["id"]},
        auth=auth,
        timeout=30,
    ).raise_for_status()
    confirmed = requests.post(
        f"{stripe_url}/v1/payment_intents/{intent_id}/confirm", auth=auth, timeout=30
    ).json()
    return confirmed["status"]


def _settled(url: str, order_number: str) -> tuple[int, int]:
    with psycopg.connect(url.replace("postgres://", "postgresql://")) as db:
        ledger = db.execute(
            "SELECT count(*) FROM income_ledgerentry e "
            "JOIN order_line l ON l.id = e.line_id JOIN order_order o ON o.id = l.order_id "
            "WHERE o.number = %s",
            [order_number],
        ).fetchone()[0]
        facts = db.execute(
            "SELECT count(*) FROM evaluation_purchasefact f "
            "JOIN order_line l ON l.id = f.line_id JOIN order_order o ON o.id = l.order_id "
            "WHERE o.number = %s",
            [order_number],
        ).fetchone()[0]
    return ledger, facts


def _order_number(url: str, intent_id: str) -> str | None:
    with psycopg.connect(url.replace("postgres://", "postgresql://")) as db:
        row = db.execute(
            "SELECT order_number FROM payment_paymentattempt WHERE payment_intent_id = %s",
            [intent_id],
        ).fetchone()
    return row[0] if row else None


def _descendants(root: int) -> list[int]:
    """Every process below root (honcho's web, worker and beat and their own children)."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = [], [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found += children
        frontier += children
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _lines_of(log: str, process: str) -> list[str]:
    return [line for line in log.splitlines() if re.match(rf"^\S+ {process}\.\d+\s+\|", line)]


def test_the_production_stack_sells_and_its_worker_settles(stack, localstripe_url):  # noqa: F811
    # Given the stack started with one command, healthy: database, cache, broker, storage,
    # and beat and the worker seen
    assert _wait_healthy(stack)["failing"] == []
    browser = Browser(stack["url"], stack["session"])

    # Static files are collected and served by whitenoise, with hashed names
    page = browser.send("GET", reverse("basket:summary"))
    assert page.status_code == 200
    stylesheet = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', page.text)
    assert stylesheet, "no hashed stylesheet on the page"
    assert browser.send("GET", stylesheet.group(1)).status_code == 200

    # When a customer buys the product over HTTP and pays at the local Stripe fake
    browser.send(
        "POST", reverse("basket:add", kwargs={"pk": stack["product"]}), data={"quantity": 2}
    )
    preview = browser.send(
        "POST", reverse("checkout:shipping-address"), data=CHINESE_ADDRESS, follow=True
    )
    assert preview.url.endswith(reverse("checkout:preview")), preview.url
    placed = browser.send("POST", reverse("checkout:preview"), data={"action": "place_order"})
    assert placed.headers["Location"].endswith(reverse("checkout:stripe-pay"))
    pay_page = browser.send("GET", reverse("checkout:stripe-pay"))
    intent_id = re.search(r'data-client-secret="([^"]+)"', pay_page.text).group(1)
    intent_id = intent_id.split("_secret_")[0]
    assert _pay_at_localstripe(localstripe_url, stack["env"]["STRIPE_SECRET_KEY"], intent_id) == (
        "succeeded"
    )
    back = browser.send("GET", reverse("checkout:stripe-return") + f"?payment_intent={intent_id}")
    assert back.headers["Location"].endswith(reverse("checkout:thank-you"))
    order_number = _order_number(stack["env"]["DATABASE_URL"], intent_id)
    assert order_number

    # Then the worker settles it: ledger entries for the households and purchase facts
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and 0 in _settled(stack["env"]["DATABASE_URL"], order_number):
        time.sleep(1)
    ledger, facts = _settled(stack["env"]["DATABASE_URL"], order_number)
    assert ledger > 0 and facts > 0, stack["log"].read_text()[-4000:]

    # ... in the worker process, and none of it in the web process
    time.sleep(1)  # the worker's log line follows its commit
    log = stack["log"].read_text(errors="replace")
    worker, web = _lines_of(log, "worker"), _lines_of(log, "web")
    for task in SETTLEMENT_TASKS:
        assert any(f"task={task}" in line and "state=SUCCESS" in line for line in worker), task
    assert web and not any("task=" in line for line in web)
    assert any(f"payment_intent={intent_id}" in line for line in web)

    # When the stack is stopped, every process ends and the port is closed
    processes = _descendants(stack["honcho"].pid)
    assert len(processes) >= 3  # web, worker and beat at least
    stack["honcho"].send_signal(signal.SIGTERM)
    assert stack["honcho"].wait(timeout=60) is not None
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", stack["port"]), timeout=1).close()
    assert [pid for pid in processes if _alive(pid)] == []
