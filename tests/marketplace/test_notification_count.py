"""The count of a customer's unread notifications (Oscar's account link shows it as a
badge) is asked for only by a page that shows it, and is always the current one: a new
notification raises it on the next page, reading one lowers it."""

import re

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from oscar.core.loading import get_model

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Notification = get_model("communication", "Notification")
ACCOUNT_LINK = "oscar/partials/nav_accounts.html"  # Oscar's header with the badge


def page(user, template: str = ACCOUNT_LINK) -> tuple[str, list[str]]:
    """The template rendered for the user's request, and the statements it took."""
    request = RequestFactory().get("/")
    request.user = user
    with CaptureQueriesContext(connection) as queries:
        html = render_to_string(template, request=request)
    return html, [q["sql"] for q in queries.captured_queries]


def badge(html: str) -> str | None:
    found = re.search(r'class="badge badge-warning">(\d+)<', html)
    return found.group(1) if found else None


def test_the_badge_counts_the_unread_notifications_as_they_come_and_are_read():
    customer = UserFactory()
    html, _ = page(customer)
    assert badge(html) is None  # nothing unread: the link goes to the account

    first = Notification.objects.create(recipient=customer, subject="订单已发货")
    html, _ = page(customer)
    assert badge(html) == "1"

    Notification.objects.create(recipient=customer, subject="订单已签收")
    Notification.objects.create(recipient=UserFactory(), subject="另一位顾客的通知")
    html, _ = page(customer)
    assert badge(html) == "2"

    first.date_read = timezone.now()
    first.save()
    html, _ = page(customer)
    assert badge(html) == "1"


def test_a_page_that_does_not_show_the_count_does_not_ask_for_it():
    customer = UserFactory()
    Notification.objects.create(recipient=customer, subject="订单已发货")
    html, statements = page(customer, "includes/site_header.html")
    assert "site-navbar" in html
    assert not any("communication_notification" in sql for sql in statements)
