"""Monitoring against return to poverty: nightly flags, county early-warning list, follow-up."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from producers.income.models import EarlyWarning, IncomeThreshold
from producers.income.services import events_process
from producers.income.services.monitoring import households_monitor
from producers.models import BenefitKind
from tests.factories import BenefitLinkFactory, CountyFactory
from tests.store_factories import county_officer_create

from .conftest import household_in, order_create, settlement_record

pytestmark = pytest.mark.django_db
ON = datetime.date(2026, 6, 1)


def _province(household):
    return household.county.parent.parent


def test_the_nightly_check_is_scheduled():
    tasks = [entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()]
    assert "producers.income.tasks.households_monitor_task" in tasks


def test_a_household_below_its_provinces_threshold_is_flagged(linked_cooperative):
    # Given a threshold of ¥6,000 per head in the supplier's province for 2026, a household
    # of 4 with ¥3,200 baseline per head, and ¥17.10 of platform income this year
    supplier = linked_cooperative["suppliers"][1]
    IncomeThreshold.objects.create(
        province=_province(supplier), year=2026, amount_per_head=Decimal("6000.00")
    )
    order = order_create(items=[(linked_cooperative["product"], 2, Decimal("38.00"))])
    events_process(payment_event_ids=[settlement_record(order=order).pk])

    # When the nightly check runs (twice: it is idempotent for a day)
    households_monitor(on=ON)
    households_monitor(on=ON)

    # Then the household is flagged below the threshold with its income per head
    warning = EarlyWarning.objects.get(household=supplier)
    assert warning.reason == EarlyWarning.Reason.BELOW_THRESHOLD
    assert warning.income_per_head == Decimal("3204.28")  # 3200 + 17.10 / 4
    assert warning.threshold == Decimal("6000.00")


def test_a_household_above_the_threshold_is_not_flagged(linked_cooperative):
    supplier = linked_cooperative["suppliers"][1]
    IncomeThreshold.objects.create(
        province=_province(supplier), year=2026, amount_per_head=Decimal("3000.00")
    )

    households_monitor(on=ON)

    assert not EarlyWarning.objects.filter(household=supplier).exists()


def test_a_sharp_drop_in_platform_income_is_flagged(linked_cooperative, settings):
    # Given a household whose platform income last year was large and this year nothing
    settings.INCOME_SHARP_DROP_PERCENT = 30
    cooperative = linked_cooperative["cooperative"]
    household = household_in(cooperative, size=1, baseline_income_per_head=Decimal("1000.00"))
    BenefitLinkFactory(
        cooperative=cooperative,
        household=household,
        kind=BenefitKind.DIVIDEND,
        equity_shares=Decimal("1000000.00"),
    )
    old_sale = order_create(items=[(linked_cooperative["product"], 500, Decimal("38.00"))])
    last_year = datetime.datetime(2025, 3, 1, 10, tzinfo=datetime.UTC)
    events_process(payment_event_ids=[settlement_record(order=old_sale, when=last_year).pk])

    households_monitor(on=ON)

    warning = EarlyWarning.objects.get(household=household, reason="sharp_drop")
    assert warning.income_per_head == Decimal("1000.00")
    assert warning.previous_income_per_head > Decimal("1428.57")  # dropped by 30 % or more


def test_a_county_officer_sees_and_follows_up_warnings_of_their_county_only(
    client, linked_cooperative
):
    supplier = linked_cooperative["suppliers"][0]
    IncomeThreshold.objects.create(
        province=_province(supplier), year=2026, amount_per_head=Decimal("6000.00")
    )
    households_monitor(on=ON)
    warning = EarlyWarning.objects.filter(household=supplier).get()

    # A county officer of another county neither sees nor changes it
    client.force_login(county_officer_create(county=CountyFactory()))
    assert (
        supplier.masked_register_number
        not in client.get(reverse("income:county-warnings")).content.decode()
    )
    url = reverse("income:county-warning-follow-up", args=[warning.pk])
    assert client.post(url, {"note": "x"}).status_code == 404

    # The household's own county office does
    officer = county_officer_create(county=supplier.county)
    client.force_login(officer)
    page = client.get(reverse("income:county-warnings")).content.decode()
    assert supplier.masked_register_number in page
    assert client.post(url, {"note": "已入户走访，落实务工岗位"}).status_code == 302
    warning.refresh_from_db()
    assert warning.state == EarlyWarning.State.FOLLOWED_UP
    assert warning.followed_up_by == officer
