"""Who serves what: Wagtail the site root and content, Oscar the store under /shop/; the demo
world kept apart from the apps and out of production."""

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, URLResolver, get_resolver, reverse

from cms.models import HomePage
from marketplace.users.models import User
from tests.config.test_deploy_check import manage, production_env  # noqa: F401  fixture
from tests.factories import PASSWORD, UserFactory

REPO_ROOT = Path(__file__).resolve().parents[2]


def url_patterns(resolver=None, prefix=""):
    """Every (route, callback) reachable from the root URLconf."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern, route)
        else:
            view = getattr(pattern.callback, "view_class", pattern.callback)
            yield route, view.__module__


@pytest.mark.django_db
def test_site_root_is_served_by_wagtail_home_page(client, home_page):
    # Given the site tree
    # When the root is requested
    response = client.get("/")

    # Then Wagtail serves the home page itself, not a redirect
    assert response.status_code == 200
    assert isinstance(response.context["page"], HomePage)
    assert "cms/home_page.html" in [template.name for template in response.templates]


@pytest.mark.django_db
def test_english_root_is_served_by_the_english_home_page(client, home_page):
    response = client.get("/en/")

    assert response.context["page"].locale.language_code == "en"
    assert response.context["page"].translation_key == home_page.translation_key


@pytest.mark.django_db
def test_store_root_redirects_to_the_catalogue(client):
    response = client.get("/shop/")

    assert response.status_code in (301, 302)
    assert response["Location"] == reverse("catalogue:index")


def test_flatpages_are_not_installed():
    assert not apps.is_installed("django.contrib.flatpages")


def test_no_url_leads_to_a_flatpages_view():
    modules = {module for _, module in url_patterns()}

    assert not [
        m
        for m in modules
        if m.startswith(("django.contrib.flatpages", "oscar.apps.dashboard.pages"))
    ]


def test_store_dashboard_has_no_pages_urls():
    routes = [route for route, _ in url_patterns() if "dashboard/" in route]

    assert routes, "the dashboard URLs were not found"
    assert not [route for route in routes if "dashboard/pages/" in route]
    with pytest.raises(NoReverseMatch):
        reverse("dashboard:page-list")


def test_store_dashboard_navigation_has_no_pages_entry():
    url_names = [
        child.get("url_name")
        for section in settings.OSCAR_DASHBOARD_NAVIGATION
        for child in section.get("children", [])
    ]

    assert "dashboard:catalogue-product-list" in url_names
    assert "dashboard:page-list" not in url_names


def test_product_search_and_page_search_use_separate_backends():
    product_search = settings.HAYSTACK_CONNECTIONS["default"]["ENGINE"]
    page_search = settings.WAGTAILSEARCH_BACKENDS["default"]["BACKEND"]

    assert product_search.startswith("haystack.")
    assert page_search.startswith("wagtail.search.")
    assert product_search != page_search


def test_user_model_is_the_project_user_identified_by_email():
    assert settings.AUTH_USER_MODEL == "users.User"
    assert get_user_model() is User
    assert User.USERNAME_FIELD == "email"


@pytest.mark.django_db
def test_user_signs_in_with_email_and_password(client):
    # Given a registered user
    user = UserFactory(email="wang.xiaoming@dongxi.example")

    # When they sign in through the store's login form with their email
    response = client.post(
        reverse("customer:login"),
        {
            "login-username": "wang.xiaoming@dongxi.example",
            "login-password": PASSWORD,
            "login_submit": "1",
        },
    )

    # Then they are signed in as that user
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db
def test_user_is_not_signed_in_with_a_wrong_password(client):
    UserFactory(email="wang.xiaoming@dongxi.example")

    client.post(
        reverse("customer:login"),
        {
            "login-username": "wang.xiaoming@dongxi.example",
            "login-password": "wrong",
            "login_submit": "1",
        },
    )

    assert "_auth_user_id" not in client.session


def test_defaults_are_simplified_chinese_china_time_and_yuan():
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.OSCAR_DEFAULT_CURRENCY == "CNY"


def test_english_is_the_only_other_language():
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]


APP_PACKAGES = ["core", "producers", "marketplace", "evaluation", "cms", "config"]


def test_apps_ship_no_demo_modules():
    # The demo world lives in the top-level demo package; the apps carry none of it.
    found = [
        str(path.relative_to(REPO_ROOT))
        for package in APP_PACKAGES
        for path in (REPO_ROOT / package).rglob("demo*")
        if "__pycache__" not in path.parts
    ]

    assert found == []


def test_apps_do_not_import_the_demo_package():
    importers = [
        str(path.relative_to(REPO_ROOT))
        for package in APP_PACKAGES
        for path in (REPO_ROOT / package).rglob("*.py")
        if re.search(r"^\s*(from demo\b|import demo\b)", path.read_text(), re.MULTILINE)
    ]

    assert importers == []


def test_production_has_no_demo_command(production_env):  # noqa: F811  the imported fixture
    # Given the production settings
    # When the demo loader is asked for
    result = manage("load_demo_world", env=production_env)

    # Then Django does not know it: the demo app is not installed
    assert result.returncode != 0
    assert "Unknown command: 'load_demo_world'" in result.stderr
    listing = manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.INSTALLED_APPS)",
        env=production_env,
    )
    assert listing.returncode == 0, listing.stderr
    assert "'marketplace.users'" in listing.stdout
    assert "'demo'" not in listing.stdout


def test_demo_app_is_installed_for_local_development_and_tests():
    assert apps.is_installed("demo")
