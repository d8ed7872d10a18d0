"""The demo under a little load: 20 customers buying at once for 30 seconds from the site as
`make demo` serves it (runserver with its threads, the SQLite file, Celery eager, localstripe).

Each customer adds to the basket, checks out, reaches the pay page (its PaymentIntent made),
pays with the test card 4242… as the demo's pay page does on localstripe, and follows the
return until the order is shown. No answer may be a server error, and every PaymentIntent that
localstripe says succeeded has exactly one order in the database."""

import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import closing
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.urls import reverse

from tests.marketplace.checkout.addresses import CHINESE_ADDRESS

# The localstripe fixture lives with the checkout tests; importing it registers it here.
from tests.marketplace.checkout.conftest import _free_port, _listening, localstripe_url  # noqa: F401

pytestmark = pytest.mark.integration

CUSTOMERS = 20
SECONDS = 30
REQUEST_TIMEOUT = 30  # seconds for one request; a client ends its round after the deadline
CONFIRMING_POLLS = 10  # visits of the "being confirmed" page before a client gives up
MAX_ROUNDS = 200  # purchases per customer at most, whatever the clock says
VISA = {"number": "4242424242424242", "exp_month": "12", "exp_year": "2030", "cvc": "123"}
BASE_DIR = Path(settings.BASE_DIR)


def _demo_env(tmp_path: Path, stripe_url: str) -> dict[str, str]:
    """The environment `make demo` runs in, but with its files in tmp_path: the default
    database kind (a SQLite file), no broker (tasks run eagerly), localstripe."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
        and not key.startswith(("PYTEST", "STRIPE_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'dongxi.sqlite3'}",
        STRIPE_API_BASE=stripe_url,
        MEDIA_ROOT=str(tmp_path / "media"),
        STATIC_ROOT=str(tmp_path / "static"),
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture
def demo_site(tmp_path, localstripe_url):  # noqa: F811  the imported fixture
    """The demo's server on a free loopback port over a fresh SQLite world; yields its URL, the
    customers' session keys, the products' ids and the database file."""
    env = _demo_env(tmp_path, localstripe_url)
    built = subprocess.run(  # noqa: S603  our own interpreter and module, fixed arguments
        [
            sys.executable,
            "-c",
            "from tests.faults.load_world import main; main()",
            str(CUSTOMERS),
        ],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-3000:]
    world = json.loads(built.stdout.strip().splitlines()[-1])

    log = tmp_path / "server.log"
    for _attempt in range(3):
        port = _free_port()
        with open(log, "wb") as output:
            server = subprocess.Popen(  # noqa: S603  our own interpreter, fixed arguments
                [
                    sys.executable,
                    "manage.py",
                    "runserver",
                    "--noreload",
                    "--skip-checks",
                    f"127.0.0.1:{port}",
                ],
                cwd=BASE_DIR,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        if _listening(server, port, seconds=60):
            break
        server.kill()
        server.wait()
    else:
        pytest.fail(f"the demo server did not start:\n{log.read_text(errors='replace')[-3000:]}")
    try:
        yield {
            "url": f"http://127.0.0.1:{port}",
            "database": tmp_path / "dongxi.sqlite3",
            "log": log,
            **world,
        }
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


class Customer:
    """One customer's browser: a logged-in session buying one product per round."""

    def __init__(self, base: str, session_key: str, product_ids: list[int], deadline: float):
        self.base = base
        self.deadline = deadline
        self.products = product_ids
        self.http = requests.Session()
        self.http.cookies.set(settings.SESSION_COOKIE_NAME, session_key, domain="127.0.0.1")
        self.statuses: Counter[int] = Counter()
        self.server_errors: list[str] = []
        self.intents: list[str] = []
        self.orders_shown = 0
        self.problems: list[str] = []

    def _send(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("allow_redirects", False)
        csrf = self.http.cookies.get(settings.CSRF_COOKIE_NAME)
        if method == "POST" and csrf:
            kwargs.setdefault("headers", {})["X-CSRFToken"] = csrf
            kwargs["headers"]["Referer"] = self.base + path
        response = self.http.request(method, self.base + path, timeout=REQUEST_TIMEOUT, **kwargs)
        self.statuses[response.status_code] += 1
        if response.status_code >= 500:
            self.server_errors.append(f"{method} {path} → {response.status_code}")
        return response

    def _redirected_to(self, response, name: str) -> bool:
        return response.status_code == 302 and response.headers["Location"].endswith(reverse(name))

    def buy(self, product_id: int) -> None:
        if settings.CSRF_COOKIE_NAME not in self.http.cookies:
            self._send("GET", reverse("basket:summary"))
        self._send("POST", reverse("basket:add", kwargs={"pk": product_id}), data={"quantity": 1})
        # The address, then on through the shipping method (there is one) to the preview
        address = self._send(
            "POST", reverse("checkout:shipping-address"), data=CHINESE_ADDRESS, allow_redirects=True
        )
        for step in address.history:
            self.statuses[step.status_code] += 1
        if not address.url.endswith(reverse("checkout:preview")):
            self.problems.append(f"no preview after the address: {address.url}")
            return
        placed = self._send("POST", reverse("checkout:preview"), data={"action": "place_order"})
        if not self._redirected_to(placed, "checkout:stripe-pay"):
            where = placed.headers.get("Location")
            self.problems.append(f"no pay page: {placed.status_code} {where}")
            return
        page = self._send("GET", reverse("checkout:stripe-pay"))
        secret = re.search(r'data-client-secret="([^"]+)"', page.text)
        if page.status_code != 200 or secret is None:
            self.problems.append(f"pay page without a PaymentIntent: {page.status_code}")
            return
        intent_id = secret.group(1).split("_secret_")[0]
        self.intents.append(intent_id)
        paid = self._send("POST", reverse("checkout:stripe-test-card"), json={"card": VISA})
        if paid.status_code != 200 or paid.json().get("status") != "succeeded":
            self.problems.append(f"card not taken: {paid.status_code} {paid.text[:200]}")
            return
        return_url = reverse("checkout:stripe-return") + f"?payment_intent={intent_id}"
        for _poll in range(CONFIRMING_POLLS):
            back = self._send("GET", return_url)
            if self._redirected_to(back, "checkout:thank-you"):
                if self._send("GET", reverse("checkout:thank-you")).status_code == 200:
                    self.orders_shown += 1
                return
            if back.status_code != 200:  # neither the order nor the "being confirmed" page
                self.problems.append(f"return answered {back.status_code}")
                return
            time.sleep(1)
        self.problems.append(f"{intent_id} still being confirmed after {CONFIRMING_POLLS} visits")

    def run(self) -> None:
        for round_ in range(MAX_ROUNDS):
            if time.monotonic() >= self.deadline:
                break
            try:
                self.buy(self.products[round_ % len(self.products)])
            except requests.RequestException as error:
                self.problems.append(f"{type(error).__name__}: {error}")


def _localstripe_status(stripe_url: str, intent_id: str) -> str:
    response = requests.get(
        f"{stripe_url}/v1/payment_intents/{intent_id}",
        auth=(settings.STRIPE_SECRET_KEY, ""),
        timeout=30,
    )
    return response.json()["status"]


def test_twenty_customers_paying_at_once_get_no_server_error_and_one_order_per_payment(
    demo_site,
    localstripe_url,  # noqa: F811  the imported fixture
):
    deadline = time.monotonic() + SECONDS
    customers = [
        Customer(demo_site["url"], key, demo_site["products"], deadline)
        for key in demo_site["sessions"]
    ]
    threads = [threading.Thread(target=c.run, daemon=True) for c in customers]
    for thread in threads:
        thread.start()
    # A round that began before the deadline may take two slow requests and its polls more.
    give_up = deadline + 2 * REQUEST_TIMEOUT + CONFIRMING_POLLS
    for thread in threads:
        thread.join(timeout=max(0.0, give_up - time.monotonic()))
    assert not any(thread.is_alive() for thread in threads), "a customer never finished"

    statuses = sum((c.statuses for c in customers), Counter())
    server_errors = [error for c in customers for error in c.server_errors]
    problems = [problem for c in customers for problem in c.problems]
    seen = {intent for c in customers for intent in c.intents}
    with closing(sqlite3.connect(demo_site["database"])) as db:
        attempts = dict(
            db.execute("SELECT payment_intent_id, order_number FROM payment_paymentattempt")
        )
        orders_of = Counter(
            reference
            for reference, _order_id in db.execute(
                "SELECT DISTINCT reference, order_id FROM payment_source"
            ).fetchall()
        )
    succeeded = {
        intent
        for intent in seen | {i for i in attempts if i}
        if _localstripe_status(localstripe_url, intent) == "succeeded"
    }
    report = (
        f"statuses {dict(statuses)}; {len(seen)} pay pages, {len(succeeded)} paid, "
        f"{sum(c.orders_shown for c in customers)} orders shown; problems: {problems[:5]}"
    )
    print(report)

    assert not server_errors, (
        f"{len(server_errors)} server errors, e.g. {server_errors[:5]}; {report}"
    )
    assert len(succeeded) >= CUSTOMERS, f"too little was paid to tell anything: {report}"
    assert {intent: orders_of[intent] for intent in succeeded} == dict.fromkeys(succeeded, 1), (
        report
    )
