"""Real-browser journeys: Debian's Chromium driven by Playwright against a live server, with
localstripe and its Stripe.js stand-in. Every journey saves a screenshot of its last screen
under var/test-artifacts/journeys/."""

import os
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings as django_settings

# The localstripe fixtures live with the checkout tests; importing them registers them here.
from tests.marketplace.checkout.conftest import localstripe, localstripe_url  # noqa: F401

ARTIFACTS = Path(django_settings.BASE_DIR) / "var" / "test-artifacts" / "journeys"
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

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
