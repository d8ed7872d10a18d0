"""Follow-ups that leave a trail: each early warning gets follow-up records (who, when,
what was done, next review); overdue reviews are listed for the county office."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from producers.income.models import EarlyWarning, IncomeThreshold, WarningFollowUp
from producers.income.services import monitoring
from producers.income.services.followups import warning_follow_up_record
from producers.income.services.monitoring import households_monitor
from tests.factories import (
    CityFactory,
    CountyFactory,
    HouseholdFactory,
    ProvinceFactory,
    TownshipFactory,
    VillageFactory,
)
from tests.store_factories import county_officer_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def flagged():
    """A household below its province's line of this year, flagged today by the check."""
    today = timezone.localdate()
    province = ProvinceFactory()
    county = CountyFactory(parent=CityFactory(parent=province))
    household = HouseholdFactory(
        village=VillageFactory(parent=TownshipFactory(parent=county)),
        size=1,
        baseline_income_per_head=Decimal("3000.00"),
    )
    IncomeThreshold.objects.create(
        province=province, year=today.year, amount_per_head=Decimal("6000.00")
    )
    households_monitor(on=today)
    return {
        "county": county,
        "household": household,
        "warning": EarlyWarning.objects.get(household=household),
        "officer": county_officer_create(county=county),
        "today": today,
    }


def _follow_up(client, warning, **data):
    return client.post(reverse("income:county-warning-follow-up", args=[warning.pk]), data)


def test_a_new_warning_is_due_for_its_first_review_within_fifteen_days(flagged):
    warning = flagged["warning"]

    assert warning.state == EarlyWarning.State.OPEN
    assert warning.next_review_on == flagged["today"] + datetime.timedelta(days=15)


def test_each_follow_up_leaves_a_trail_and_sets_the_next_review(client, flagged):
    warning, officer = flagged["warning"], flagged["officer"]
    client.force_login(officer)
    next_review = flagged["today"] + datetime.timedelta(days=30)

    # When the officer records a visit with an assistance measure and the next review
    response = _follow_up(
        client,
        warning,
        action="visit",
        note="入户走访，了解到户主因病停工",
        measure="安排公益性岗位",
        next_review_on=next_review.isoformat(),
    )

    # Then the warning is in progress, due on that date, and the trail says who did what
    assert response.status_code == 302
    warning.refresh_from_db()
    assert warning.state == EarlyWarning.State.IN_PROGRESS
    assert warning.next_review_on == next_review
    [follow_up] = WarningFollowUp.objects.filter(warning=warning)
    assert (follow_up.recorded_by, follow_up.action, follow_up.measure) == (
        officer,
        "visit",
        "安排公益性岗位",
    )
    page = client.get(reverse("income:county-warning", args=[warning.pk])).content.decode()
    assert "入户走访，了解到户主因病停工" in page and "安排公益性岗位" in page
    assert next_review.isoformat() in page

    # When an interview then closes it, no more follow-ups are taken
    _follow_up(client, warning, action="interview", note="约谈后落实务工，收入恢复", closes="on")
    warning.refresh_from_db()
    assert warning.state == EarlyWarning.State.CLOSED and warning.next_review_on is None
    late = _follow_up(
        client, warning, action="visit", note="再访", next_review_on=next_review.isoformat()
    )
    assert late.status_code == 400
    assert WarningFollowUp.objects.filter(warning=warning).count() == 2


def test_the_old_mark_as_followed_up_button_is_gone(client, flagged):
    client.force_login(flagged["officer"])

    page = client.get(reverse("income:county-warnings")).content.decode()

    assert "标记已跟进" not in page
    assert reverse("income:county-warning", args=[flagged["warning"].pk]) in page


@pytest.mark.parametrize(
    "data",
    [
        {"action": "visit", "note": "", "next_review_on": "2099-01-01"},  # nothing done
        {"action": "visit", "note": "走访"},  # neither a next review nor closed
        {"action": "visit", "note": "走访", "next_review_on": "2000-01-01"},  # in the past
        {"action": "fly", "note": "走访", "closes": "on"},  # no such action
        {"action": "visit", "note": "走访", "next_review_on": "2099-01-01", "closes": "on"},
    ],
)
def test_bad_follow_ups_say_why_and_change_nothing(client, flagged, data):
    warning = flagged["warning"]
    client.force_login(flagged["officer"])

    response = _follow_up(client, warning, **data)

    assert response.status_code == 400
    assert response.context["form"].errors
    warning.refresh_from_db()
    assert warning.state == EarlyWarning.State.OPEN
    assert not WarningFollowUp.objects.exists()


def test_another_countys_officer_can_neither_see_nor_follow_up(client, flagged):
    stranger = county_officer_create(county=CountyFactory())
    client.force_login(stranger)
    warning = flagged["warning"]

    assert client.get(reverse("income:county-warning", args=[warning.pk])).status_code == 404
    assert _follow_up(client, warning, action="visit", note="x", closes="on").status_code == 404
    with pytest.raises(PermissionDenied):
        warning_follow_up_record(
            warning=warning, officer=stranger, action="visit", note="x", closes=True
        )
    assert not WarningFollowUp.objects.exists()


def test_overdue_reviews_are_listed_for_the_county(client, flagged):
    # Given one warning whose review date passed and one not yet due
    overdue = flagged["warning"]
    EarlyWarning.objects.filter(pk=overdue.pk).update(
        next_review_on=flagged["today"] - datetime.timedelta(days=1)
    )
    other = HouseholdFactory(
        village=VillageFactory(parent=TownshipFactory(parent=flagged["county"])),
        size=1,
        baseline_income_per_head=Decimal("1000.00"),
    )
    households_monitor(on=flagged["today"])
    client.force_login(flagged["officer"])

    page = client.get(reverse("income:county-warnings") + "?overdue=1").content.decode()

    assert flagged["household"].masked_register_number in page
    assert other.masked_register_number not in page
    assert "已逾期" in page
    everything = client.get(reverse("income:county-warnings")).content.decode()
    assert "逾期未复核 1 条" in everything and other.masked_register_number in everything


def test_an_unresolved_warning_is_not_raised_again_each_night(flagged):
    warning, today = flagged["warning"], flagged["today"]

    # The household is still below the line the next night: no second warning, whichever
    # way the check runs
    assert households_monitor(on=today + datetime.timedelta(days=1)) == 0
    assert monitoring._households_monitor_python(on=today + datetime.timedelta(days=1)) == 0

    # Once its warning is closed and it is still below, the check flags it again
    warning_follow_up_record(
        warning=warning, officer=flagged["officer"], action="visit", note="已走访", closes=True
    )
    assert households_monitor(on=today + datetime.timedelta(days=2)) == 1
    assert EarlyWarning.objects.filter(household=flagged["household"]).count() == 2


def test_a_follow_up_needs_a_next_review_or_closing(flagged):
    with pytest.raises(ValidationError):
        warning_follow_up_record(
            warning=flagged["warning"], officer=flagged["officer"], action="visit", note="走访"
        )


def test_unresolved_warnings_come_first_in_the_countys_list(client, flagged):
    # Given the flagged household's warning closed, and another household flagged later
    warning_follow_up_record(
        warning=flagged["warning"],
        officer=flagged["officer"],
        action="visit",
        note="已办",
        closes=True,
    )
    other = HouseholdFactory(
        village=VillageFactory(parent=TownshipFactory(parent=flagged["county"])),
        size=1,
        baseline_income_per_head=Decimal("1000.00"),
    )
    households_monitor(on=flagged["today"] + datetime.timedelta(days=1))
    client.force_login(flagged["officer"])

    page = client.get(reverse("income:county-warnings")).content.decode()

    # Then the open ones (the other household's, and the flagged household's again) are
    # listed above the closed one, which comes last
    closed = page.rindex(flagged["household"].masked_register_number)
    assert page.index(other.masked_register_number) < closed
    assert page.index("已办结") > page.index(other.masked_register_number)
