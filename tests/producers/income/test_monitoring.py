"""Monitoring against return to poverty: nightly flags, county early-warning list, follow-up."""

import datetime
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone

from producers.income.models import EarlyWarning, IncomeThreshold, LedgerEntry, OtherIncome
from producers.income.services import events_process, monitoring
from producers.income.services.monitoring import households_monitor
from producers.models import BenefitKind
from tests.factories import BenefitLinkFactory, CountyFactory, UserFactory
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
    follow_up = {"action": "visit", "note": "已入户走访，落实务工岗位", "closes": "on"}
    assert client.post(url, follow_up).status_code == 404

    # The household's own county office does
    officer = county_officer_create(county=supplier.county)
    client.force_login(officer)
    page = client.get(reverse("income:county-warnings")).content.decode()
    assert supplier.masked_register_number in page
    assert client.post(url, follow_up).status_code == 302
    warning.refresh_from_db()
    assert warning.state == EarlyWarning.State.CLOSED
    assert warning.follow_ups.get().recorded_by == officer


def _warnings(on):
    return sorted(
        EarlyWarning.objects.filter(computed_on=on).values_list(
            "household_id",
            "county_id",
            "reason",
            "income_per_head",
            "threshold",
            "previous_income_per_head",
            "state",
        )
    )


OTHER_CASES = [  # size, baseline, platform income, other income [(year, amount, voided)]
    (2, "5999.99", [], [(2026, "0.01", False)]),  # 5999.995 -> 6000.00: not below
    (1, "5000.00", [], [(2025, "999.99", False), (2026, "5000.00", True)]),  # last year's
    (1, "5000.00", [], [(2026, "1000.00", False), (2025, "5000.00", False)]),  # dropped 40 %
    (1, "5500.00", [], [(2024, "50000.00", False)]),  # two years ago: counts for nothing
    (3, "5999.98", [], [(2026, "0.03", False), (2026, "0.02", False)]),  # -> 6000.00
]


def test_the_check_flags_alike_in_sql_and_in_python_across_chunks(
    linked_cooperative, monkeypatch, settings
):
    # Given households whose income per head falls on a half fen, just below or on the
    # threshold, drops by exactly 30 % or by a fen less, or has a refund larger than its
    # income, each with ledger entries written directly
    settings.INCOME_SHARP_DROP_PERCENT = 30
    cooperative = linked_cooperative["cooperative"]
    province = _province(linked_cooperative["suppliers"][0])
    IncomeThreshold.objects.create(province=province, year=2026, amount_per_head=Decimal("6000"))
    order = order_create(items=[(linked_cooperative["product"], 1, Decimal("38.00"))])
    event = settlement_record(order=order)
    line = order.lines.get()
    this_year, last_year = ON - datetime.timedelta(days=10), ON - datetime.timedelta(days=400)
    cases = [  # size, baseline per head, [(amount, booked on)]
        (2, "5999.99", [("0.01", this_year)]),  # 5999.995 -> 6000.00: not below
        (8, "5999.99", [("0.03", this_year)]),  # 5999.99375 -> 5999.99: below
        (3, "5999.98", [("0.05", this_year)]),  # 5999.9966… -> 6000.00
        (7, "5999.00", [("6.93", this_year)]),  # 5999.99 exactly: below
        (1, "7000.00", [("3000.00", last_year)]),  # 10000 -> 7000: dropped 30 % exactly
        (1, "7000.01", [("2999.99", last_year)]),  # 10000 -> 7000.01: 29.9999 %
        (4, "9000.00", [("-200.00", this_year), ("40000.00", last_year)]),
        (5, "100.00", [("-1000.00", this_year)]),  # below zero this year
        (6, "8000.00", []),  # no platform income at all
        (1, "6500.00", [("1.00", ON - datetime.timedelta(days=800))]),  # too old to count
    ]
    # Income from other sources the county recorded: [(year, amount, voided)]
    others = {len(cases) + i: other for i, (*_case, other) in enumerate(OTHER_CASES)}
    cases += [case for *case, _other in OTHER_CASES]
    officer = UserFactory()
    for n, (size, baseline, entries) in enumerate(cases):
        household = household_in(cooperative, size=size, baseline_income_per_head=Decimal(baseline))
        for year, amount, voided in others.get(n, []):
            OtherIncome.objects.create(
                household=household,
                year=year,
                source="wages",
                amount=Decimal(amount),
                recorded_by=officer,
                recorded_at=timezone.now(),
                voided_at=timezone.now() if voided else None,
            )
        for amount, booked_on in entries:
            LedgerEntry.objects.create(
                household=household,
                cooperative=cooperative,
                line=line,
                kind="produce_supply",
                amount=Decimal(amount),
                payment_event=event,
                booked_on=booked_on,
                created_at=timezone.now(),
            )

    # When the check runs as the database runs it, and in Python reading 3 households at
    # a time (the chunks end between the households)
    added = households_monitor(on=ON)
    found = _warnings(ON)
    EarlyWarning.objects.all().delete()
    monkeypatch.setattr(monitoring, "CHUNK", 3)
    monitoring._households_monitor_python(on=ON)

    # Then both flag the same households for the same reasons and figures
    assert _warnings(ON) == found
    assert added == len(found)
    flagged = {(income, reason) for _h, _c, reason, income, *_rest in found}
    assert (Decimal("5999.99"), "below_threshold") in flagged
    assert (Decimal("7000.00"), "sharp_drop") in flagged
    assert (Decimal("7000.01"), "sharp_drop") not in flagged
    assert (Decimal("6000.00"), "below_threshold") not in flagged
    assert (Decimal("-100.00"), "below_threshold") in flagged
    assert (Decimal("6000.00"), "sharp_drop") in flagged  # other income fell
    assert (Decimal("5500.00"), "below_threshold") in flagged  # too old to count
    assert (Decimal("5999.99"), "below_threshold") in flagged
