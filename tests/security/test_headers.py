"""Security headers: the Content Security Policy lets Stripe.js (localstripe's stand-in or the
real one) load, frame and call its API, and nothing else from elsewhere; production cookies
are secure."""

import json

import pytest
from django.urls import reverse

from tests.config.test_deploy_check import manage, production_env  # noqa: F401  fixture

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = (part.strip().split() for part in header.split(";") if part.strip())
    return {name: sources for name, *sources in directives}


def test_store_pages_carry_a_policy_that_forbids_plugins_and_foreign_framing(client):
    csp = policy(client.get(reverse("catalogue:index")))

    assert csp["default-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'self'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]


def test_the_policy_allows_the_configured_stripe_js_stand_in_and_api(client, settings):
    # Given the demo's localstripe on another port
    settings.STRIPE_API_BASE = "http://127.0.0.1:8421"
    settings.STRIPE_JS_URL = "http://127.0.0.1:8421/js.stripe.com/v3/"

    csp = policy(client.get(reverse("catalogue:index")))

    assert "http://127.0.0.1:8421" in csp["script-src"]
    assert "http://127.0.0.1:8421" in csp["connect-src"]
    assert "http://127.0.0.1:8421" in csp["frame-src"]
    assert "https://js.stripe.com" not in csp["script-src"]


def test_the_policy_allows_the_real_stripe_js_and_its_frames(client, settings):
    # Given production's Stripe
    settings.STRIPE_API_BASE = "https://api.stripe.com"
    settings.STRIPE_JS_URL = "https://js.stripe.com/v3/"

    csp = policy(client.get(reverse("catalogue:index")))

    assert {"'self'", "https://js.stripe.com", "https://*.js.stripe.com"} <= set(csp["script-src"])
    assert {"https://js.stripe.com", "https://hooks.stripe.com"} <= set(csp["frame-src"])
    assert "https://api.stripe.com" in csp["connect-src"]
    assert "'self'" in csp["img-src"] and "https://*.stripe.com" in csp["img-src"]


def test_no_other_origin_may_serve_scripts(client, settings):
    settings.STRIPE_API_BASE = "https://api.stripe.com"
    settings.STRIPE_JS_URL = "https://js.stripe.com/v3/"

    csp = policy(client.get(reverse("catalogue:index")))

    scripts = set(csp["script-src"]) - {"'self'", "'unsafe-inline'"}
    assert scripts == {"https://js.stripe.com", "https://*.js.stripe.com"}


def test_production_cookies_are_secure_and_http_only(production_env):  # noqa: F811
    # Given production settings, when they are read
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({n: getattr(s, n) "
        "for n in ['SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', "
        "'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SESSION_COOKIE_SAMESITE']}))"
    )
    result = manage("shell", "-c", code, env=production_env)

    # Then cookies only travel over HTTPS, the session cookie is out of scripts' reach
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SESSION_COOKIE_SAMESITE"] == "Lax"
