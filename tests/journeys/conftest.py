"""Real-browser journeys: Debian's Chromium driven by Playwright against a live server, with
localstripe and its Stripe.js stand-in. Every journey saves a screenshot of its last screen
under var/test-artifacts/journeys/."""

import json
import os
import re
import shutil
from pathlib import Path

import pytest
import stripe
from django.conf import settings as django_settings
from oscar.core.loading import get_model

from marketplace.payment import gateway

# The localstripe fixtures live with the checkout tests; importing them registers them here.
from tests.marketplace.checkout.conftest import localstripe, localstripe_url  # noqa: F401

ARTIFACTS = Path(django_settings.BASE_DIR) / "var" / "test-artifacts" / "journeys"
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CONFIRM_PATH = "/_dongxi/confirm"

pytestmark = pytest.mark.integration


def chromium_path() -> str | None:
    """CHROMIUM_PATH, else Debian's /usr/bin/chromium, else another Chromium on PATH."""
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/bin/chromium"):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return next(filter(None, map(shutil.which, CHROMIUM_CANDIDATES)), None)


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if executable is None:
        pytest.skip("no Chromium on this machine: install Debian's chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread for as long as the browser
    # lives; the ORM calls of the tests and of pytest-django's flush after each journey are
    # still synchronous. Journeys run last, and the deploy check drops the variable anyway.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=executable, args=["--no-sandbox", "--disable-dev-shm-usage"]
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server, request):
    """A fresh browser context in Chinese on the live server; the last screen is saved as
    var/test-artifacts/journeys/<test name>.png whether the journey passes or fails."""
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    # Script errors and Content Security Policy refusals; every journey asserts there are none.
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.js_errors = errors
    yield page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()


@pytest.fixture
def china(transactional_db):
    """The shipping country. Transactional tests start from a flushed database, so the
    rows that data migrations wrote may be gone."""
    Country = get_model("address", "Country")
    country, _created = Country.objects.update_or_create(
        iso_3166_1_a2="CN",
        defaults={
            "iso_3166_1_a3": "CHN",
            "iso_3166_1_numeric": "156",
            "printable_name": "中国",
            "name": "中华人民共和国",
            "display_order": 1,
            "is_shipping_country": True,
        },
    )
    return country


# localstripe's Stripe.js stand-in only completes 3-D Secure for a PaymentIntent that the
# server has already confirmed; real Stripe.js confirms it from the card element. This shim
# gives the stand-in that missing step: it sends the card to CONFIRM_PATH, answered below by
# the test process, which creates the card at localstripe and confirms the intent.
STRIPE_JS_SHIM = """
;(function () {
  var standIn = Stripe;
  Stripe = function (key) {
    var stripe = standIn(key);
    var authenticate = stripe.confirmCardPayment;
    stripe.confirmCardPayment = async function (secret, data) {
      var element = data && data.payment_method && data.payment_method.card;
      var response = await fetch(LOCALSTRIPE_BASE_API + "%(path)s", {
        method: "POST",
        body: JSON.stringify({client_secret: secret, card: element && element.value ?
                                element.value.card : null}),
      });
      var body = await response.json();
      if (body.error) { return {error: body.error}; }
      if (body.status === "requires_action") { return authenticate(secret, data); }
      return {paymentIntent: body};
    };
    return stripe;
  };
})();
""".replace("%(path)s", CONFIRM_PATH)


def _confirm_with_card(localstripe_base: str, body: dict) -> dict:
    secret = body.get("client_secret") or ""
    match = re.match(r"^(pi_\w+)_secret_", secret)
    card = body.get("card")
    if not match or not card:
        return {"error": {"message": "card details missing"}}
    client = stripe.StripeClient(
        django_settings.STRIPE_SECRET_KEY, base_addresses={"api": localstripe_base}
    )
    try:
        method = client.v1.payment_methods.create(
            params={
                "type": "card",
                "card": {
                    "number": card["number"],
                    "exp_month": card["exp_month"],
                    "exp_year": card["exp_year"],
                    "cvc": card["cvc"],
                },
            }
        )
        intent = gateway.payment_intent_confirm(match.group(1), payment_method=method.id)
    except stripe.StripeError as error:
        return {"error": {"message": error.user_message or str(error)}}
    return intent.to_dict()


@pytest.fixture
def stripe_in_browser(page, localstripe):  # noqa: F811  the imported fixture
    """Serve localstripe's Stripe.js with the confirmation shim; answer the shim's calls."""
    js_url = django_settings.STRIPE_JS_URL

    def serve_js(route):
        original = route.fetch()
        route.fulfill(response=original, body=original.text() + STRIPE_JS_SHIM)

    def confirm(route):
        answer = _confirm_with_card(localstripe, json.loads(route.request.post_data or "{}"))
        route.fulfill(
            status=200,
            content_type="application/json",
            headers={"Access-Control-Allow-Origin": "*"},
            body=json.dumps(answer),
        )

    page.route(js_url, serve_js)
    page.route(f"{localstripe}{CONFIRM_PATH}", confirm)
    return localstripe


def login(page, user, password: str) -> None:
    """Sign in through the store's login form, as a person would."""
    page.goto("/shop/accounts/login/")
    page.fill("#id_login-username", user.email)
    page.fill("#id_login-password", password)
    page.click("button[name=login_submit]")
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, page.locator(
        ".alert, .error-block"
    ).all_inner_texts()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Journeys run last (after pytest-django's ordering): their live server needs a
    transactional database, flushed after each test, which also removes the rows data
    migrations wrote (China as a shipping country, Wagtail's root page) for later tests."""
    journeys = {id(item) for item in items if "/tests/journeys/" in str(item.path)}
    items[:] = [i for i in items if id(i) not in journeys] + [i for i in items if id(i) in journeys]
