"""Households that left the register lose their personal data after the retention period
(HOUSEHOLD_RETENTION_YEARS), while their rows, ledger and facts stay and still balance."""

import datetime
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from evaluation.models import EvaluationYear
from evaluation.services.retention import households_retention_run
from evaluation.tasks import households_retention_task
from producers.income.models import LedgerEntry, Payout
from producers.income.services import events_process
from producers.models import AuditEntry, Household
from tests.producers.income.conftest import (  # noqa: F401  fixture
    household_in,
    linked_cooperative,
    order_create,
    settlement_record,
)
from tests.store_factories import county_officer_create

pytestmark = pytest.mark.django_db

# Five years' retention has run out on this day for those that left in January 2027, not
# for one that left in 2028.
TODAY = datetime.date(2032, 6, 1)
LEFT_LONG_AGO = datetime.date(2027, 1, 10)
LEFT_RECENTLY = datetime.date(2028, 3, 1)
NAME, PHONE = "阿西木呷", "13912345678"


def _ledger_sum(household) -> Decimal:
    return LedgerEntry.objects.filter(household=household).aggregate(t=Sum("amount"))["t"]


def _pay_in_full(world, household):
    Payout.objects.create(
        cooperative=world["cooperative"],
        household=household,
        amount=_ledger_sum(household),
        paid_on=datetime.date(2026, 6, 1),
        method=Payout.Method.BANK,
    )


def _leave(household, on):
    Household.objects.filter(pk=household.pk).update(left_register_on=on)


@pytest.fixture
def world(linked_cooperative):  # noqa: F811
    """The cooperative's households all earned income in May 2026 (a sale of ¥380)."""
    product = linked_cooperative["product"]
    event = settlement_record(order=order_create(items=[(product, 10, Decimal("38.00"))]))
    events_process(payment_event_ids=[event.pk])
    return linked_cooperative


def _erased(household) -> bool:
    return Household.objects.get(pk=household.pk).personal_data_erased_at is not None


def test_the_run_erases_exactly_the_households_past_the_period_and_the_ledger_still_balances(
    world,
):
    # Given a locked 2026, and households: one without income that left long ago, a supplier
    # paid in full that left long ago, a supplier still owed that left long ago, a worker who
    # left recently and a holder still on the register
    EvaluationYear.objects.create(year=2026, locked_at=timezone.now())
    no_income = household_in(world["cooperative"])
    paid, owed = world["suppliers"]
    _pay_in_full(world, paid)
    for household in (no_income, paid, owed):
        _leave(household, LEFT_LONG_AGO)
    _leave(world["worker"], LEFT_RECENTLY)
    register_number = Household.objects.get(pk=paid.pk).register_number
    entries_before = LedgerEntry.objects.count()
    paid_income = _ledger_sum(paid)

    # When the retention run comes
    report = households_retention_run(today=TODAY)

    # Then exactly the two past their period with nothing open are erased
    assert report.erased == sorted([no_income.pk, paid.pk])
    assert report.held_owed == [owed.pk]
    for household in (owed, world["worker"], *world["holders"]):
        assert not _erased(household)
    erased = Household.objects.get(pk=paid.pk)
    assert (erased.register_number, erased.phone) == ("", "")
    assert erased.head_name == "阿***"
    assert erased.masked_register_number == "个人信息已删除"
    kept = Household.objects.get(pk=owed.pk)
    assert (kept.head_name, kept.phone) == (NAME, PHONE)
    # its number is free for a new registration, and no longer finds the erased row
    assert not Household.objects.with_register_number(register_number).exists()

    # And the row keeps its ledger, which still equals its rebuild
    assert LedgerEntry.objects.count() == entries_before
    assert _ledger_sum(paid) == paid_income
    out = StringIO()
    call_command("income_rebuild", stdout=out)
    assert "差异 0 处" in out.getvalue()

    # And each erasure is audited by the platform, naming fields and no personal data
    entries = AuditEntry.objects.filter(action="household.personal_data.erase")
    assert sorted(int(e.target_id) for e in entries) == sorted([no_income.pk, paid.pk])
    for entry in entries:
        assert entry.actor is None
        assert entry.target_type == ContentType.objects.get_for_model(Household)
        assert entry.detail["fields"] == ["register_number", "phone", "head_name"]
        text = json.dumps(entry.detail, ensure_ascii=False)
        assert NAME not in text and PHONE not in text and register_number not in text


def test_the_run_is_idempotent(world):
    household = household_in(world["cooperative"])
    _leave(household, LEFT_LONG_AGO)
    assert households_retention_run(today=TODAY).erased == [household.pk]
    audits = AuditEntry.objects.count()

    # When it runs again
    report = households_retention_run(today=TODAY)

    # Then nothing changes and nothing more is audited
    assert report.erased == []
    assert AuditEntry.objects.count() == audits
    assert Household.objects.get(pk=household.pk).head_name == "阿***"


def test_a_household_with_income_in_a_year_not_locked_is_held_until_the_year_is_locked(world):
    # Given a supplier paid in full who left long ago, its income in 2026, not locked yet
    paid = world["suppliers"][0]
    _pay_in_full(world, paid)
    _leave(paid, LEFT_LONG_AGO)

    # Then the run holds it back
    report = households_retention_run(today=TODAY)
    assert report.held_open_year == [paid.pk]
    assert not _erased(paid)

    # And erases it once 2026 is locked
    EvaluationYear.objects.create(year=2026, locked_at=timezone.now())
    assert households_retention_run(today=TODAY).erased == [paid.pk]


def test_a_household_that_left_within_the_period_is_kept_whatever_the_setting(world, settings):
    household = household_in(world["cooperative"])
    _leave(household, LEFT_LONG_AGO)
    settings.HOUSEHOLD_RETENTION_YEARS = 6
    assert households_retention_run(today=TODAY).erased == []
    settings.HOUSEHOLD_RETENTION_YEARS = 5
    assert households_retention_run(today=TODAY).erased == [household.pk]


def test_beat_runs_the_retention_task_nightly(world):
    # Given a household that left the register nine years before today's run
    household = household_in(world["cooperative"])
    _leave(household, timezone.localdate() - datetime.timedelta(days=9 * 366))

    # Then beat's schedule has the task, and the task erases it
    names = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert households_retention_task.name in names
    assert households_retention_task.delay().get() == 1
    assert _erased(household)


def test_the_county_office_sees_an_erased_household_as_such_and_cannot_edit_or_reveal_it(
    world, client
):
    household = household_in(world["cooperative"])
    _leave(household, LEFT_LONG_AGO)
    households_retention_run(today=TODAY)
    client.force_login(county_officer_create(county=household.county))

    detail = client.get(reverse("producers:county-household-detail", args=[household.pk]))
    page = detail.content.decode()
    assert "data-erased" in page and "个人信息已删除" in page and "阿***" in page
    assert reverse("producers:county-household-edit", args=[household.pk]) not in page
    assert "显示完整编号" not in page
    assert "保存期满删除个人信息" in page and "平台（定时任务）" in page

    listing = client.get(reverse("producers:county-households")).content.decode()
    assert "个人信息已删除" in listing and "阿***" in listing

    edit = client.get(reverse("producers:county-household-edit", args=[household.pk]))
    assert edit.status_code == 302
    post = client.post(
        reverse("producers:county-household-edit", args=[household.pk]), {"head_name": NAME}
    )
    assert post.status_code == 302
    assert Household.objects.get(pk=household.pk).head_name == "阿***"
    reveal = client.post(reverse("producers:county-household-reveal", args=[household.pk]))
    assert reveal.status_code == 403


def test_an_officer_records_the_day_a_household_left_the_register(world, client):
    household = household_in(world["cooperative"])
    client.force_login(county_officer_create(county=household.county))
    url = reverse("producers:county-household-edit", args=[household.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["left_register_on"] = "2027-01-10"

    response = client.post(url, data)

    assert response.status_code == 302
    assert Household.objects.get(pk=household.pk).left_register_on == LEFT_LONG_AGO
