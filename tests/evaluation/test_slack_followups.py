"""Slack flags (摘帽不摘帮扶) get follow-ups that leave a trail: who, when, what was done,
the next review; overdue reviews are listed for the evaluators."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from evaluation.models import SlackFollowUp
from evaluation.selectors.monitoring import slack_reviews_overdue
from evaluation.services.followups import slack_follow_up_record
from marketplace.users.roles import COUNTY_OFFICER, EVALUATOR
from producers.models import AuditEntry
from tests.factories import PairingFactory, UserFactory

from .factories import bought, east_west_world, product_from

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("slack_limit")]


@pytest.fixture
def slack_limit():
    with override_settings(EVALUATION_SLACK_DECLINE_PERCENT=20):
        yield


@pytest.fixture
def world():
    """A pairing whose purchases from an exited county fell from ¥1,000 (2024) to ¥700
    (2025): flagged for 2025."""
    world = east_west_world()
    product = product_from(world["zhaojue"], price=Decimal("100.00"))
    bought(product, 10, year=2024)
    bought(product, 7, year=2025)
    world["evaluator"] = UserFactory(roles=[EVALUATOR])
    return world


def _in(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def _url(world, year=2025):
    return reverse("evaluation:slack-follow-up", args=[year, world["pairing"].pk])


def test_an_evaluator_records_a_follow_up_and_the_monitoring_page_shows_it(client, world):
    client.force_login(world["evaluator"])
    monitoring = reverse("evaluation:monitoring", args=[2025])
    assert _url(world) in client.get(monitoring).content.decode()  # 待跟进

    response = client.post(
        _url(world),
        {
            "action": "interview",
            "note": "约谈浙江省协作办，要求说明采购额下降原因",
            "measure": "制定整改方案",
            "next_review_on": _in(30).isoformat(),
        },
    )

    assert response.status_code == 302
    [follow_up] = SlackFollowUp.objects.all()
    assert (follow_up.pairing, follow_up.year, follow_up.recorded_by) == (
        world["pairing"],
        2025,
        world["evaluator"],
    )
    trail = client.get(_url(world)).content.decode()
    assert "约谈浙江省协作办，要求说明采购额下降原因" in trail and "制定整改方案" in trail
    page = client.get(monitoring).content.decode()
    assert _in(30).isoformat() in page
    entry = AuditEntry.objects.get(action="slack.follow_up")
    assert entry.actor == world["evaluator"] and entry.detail["year"] == 2025


def test_overdue_reviews_are_listed_for_the_evaluators(client, world):
    # Given one follow-up whose review date has passed, and one pairing closed
    evaluator = world["evaluator"]
    SlackFollowUp.objects.create(
        pairing=world["pairing"],
        year=2025,
        action="visit",
        note="实地督导",
        next_review_on=_in(-3),
        recorded_by=evaluator,
        recorded_at=timezone.now() - datetime.timedelta(days=40),
    )
    closed = PairingFactory()
    for closes, next_review in ((False, _in(-10)), (True, None)):
        SlackFollowUp.objects.create(
            pairing=closed,
            year=2025,
            action="assistance",
            note="已整改",
            next_review_on=next_review,
            closes=closes,
            recorded_by=evaluator,
            recorded_at=timezone.now() - datetime.timedelta(days=1 if closes else 20),
        )

    overdue = slack_reviews_overdue()

    # Then only the open one is overdue, and the monitoring page lists it
    assert [(f.pairing, f.year) for f in overdue] == [(world["pairing"], 2025)]
    client.force_login(evaluator)
    page = client.get(reverse("evaluation:monitoring", args=[2025])).content.decode()
    assert "已逾期" in page and _in(-3).isoformat() in page
    # and a later follow-up with a new date takes it off the list
    slack_follow_up_record(
        evaluator=evaluator,
        pairing=world["pairing"],
        year=2025,
        action="visit",
        note="再次督导",
        next_review_on=_in(60),
    )
    assert slack_reviews_overdue() == []


@pytest.mark.parametrize(
    "data",
    [
        {"action": "visit", "note": ""},
        {"action": "visit", "note": "督导"},  # neither a next review nor closed
        {"action": "visit", "note": "督导", "next_review_on": "2001-01-01"},
        {"action": "nap", "note": "督导", "closes": "on"},
    ],
)
def test_bad_follow_ups_say_why_and_change_nothing(client, world, data):
    client.force_login(world["evaluator"])

    response = client.post(_url(world), data)

    assert response.status_code == 400
    assert response.context["form"].errors
    assert not SlackFollowUp.objects.exists()


def test_a_pairing_not_flagged_takes_no_follow_up_and_a_closed_one_no_more(world):
    evaluator = world["evaluator"]
    # 2024 fell from nothing: not flagged
    with pytest.raises(ValidationError):
        slack_follow_up_record(
            evaluator=evaluator,
            pairing=world["pairing"],
            year=2024,
            action="visit",
            note="x",
            closes=True,
        )
    slack_follow_up_record(
        evaluator=evaluator,
        pairing=world["pairing"],
        year=2025,
        action="visit",
        note="已整改",
        closes=True,
    )
    with pytest.raises(ValidationError):
        slack_follow_up_record(
            evaluator=evaluator,
            pairing=world["pairing"],
            year=2025,
            action="visit",
            note="再访",
            next_review_on=_in(10),
        )
    assert SlackFollowUp.objects.count() == 1


def test_only_evaluators_record_slack_follow_ups(client, world):
    officer = UserFactory(roles=[COUNTY_OFFICER])
    client.force_login(officer)
    data = {"action": "visit", "note": "x", "closes": "on"}

    assert client.get(_url(world)).status_code == 403
    assert client.post(_url(world), data).status_code == 403
    with pytest.raises(PermissionDenied):
        slack_follow_up_record(
            evaluator=officer,
            pairing=world["pairing"],
            year=2025,
            action="visit",
            note="x",
            closes=True,
        )
    assert not SlackFollowUp.objects.exists()
    # and a pairing that has nothing to follow up that year is not found
    client.force_login(world["evaluator"])
    assert client.get(_url(world, year=2023)).status_code == 404
