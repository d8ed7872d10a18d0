"""Monitoring lines as data with a screen: platform staff set each province's line for a
year; a change keeps the old value and who made it, and re-flags exactly the households it
should. Households' other income counts in the check."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from marketplace.users.roles import COUNTY_OFFICER, EVALUATOR, PLATFORM_ADMIN
from producers.income.models import (
    EarlyWarning,
    IncomeThreshold,
    IncomeThresholdRevision,
    OtherIncome,
)
from producers.income.services import monitoring
from producers.income.services.monitoring import households_monitor, income_threshold_set
from producers.income.services.other_income import other_income_record, other_income_void
from producers.models import AuditEntry
from tests.factories import (
    CityFactory,
    CountyFactory,
    HouseholdFactory,
    ProvinceFactory,
    TownshipFactory,
    UserFactory,
    VillageFactory,
)
from tests.store_factories import county_officer_create

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 1)
BELOW = EarlyWarning.Reason.BELOW_THRESHOLD


def _county(province):
    return CountyFactory(parent=CityFactory(parent=province))


def _household(county, per_head: str, size: int = 1):
    village = VillageFactory(parent=TownshipFactory(parent=county))
    return HouseholdFactory(village=village, size=size, baseline_income_per_head=Decimal(per_head))


def _flagged_below():
    """Households with an unresolved below-the-line warning."""
    return set(
        EarlyWarning.objects.filter(reason=BELOW, state__in=EarlyWarning.UNRESOLVED).values_list(
            "household_id", flat=True
        )
    )


@pytest.fixture
def staff():
    return UserFactory(roles=[PLATFORM_ADMIN])


@pytest.fixture
def province_world():
    province = ProvinceFactory(name="四川省")
    county = _county(province)
    amounts = ("5000.00", "5500.00", "6500.00", "7000.00")
    households = {amount: _household(county, amount) for amount in amounts}
    elsewhere = _household(_county(ProvinceFactory(name="甘肃省")), "100.00")
    return {
        "province": province,
        "county": county,
        "households": households,
        "elsewhere": elsewhere,
    }


def _set(staff, province, amount, reason="川乡振发〔2026〕1号", today=TODAY, year=None):
    return income_threshold_set(
        actor=staff,
        province=province,
        year=year or today.year,
        amount_per_head=Decimal(amount),
        reason=reason,
        today=today,
    )


def test_changing_a_line_reflags_exactly_the_households_it_should(staff, province_world):
    province, h = province_world["province"], province_world["households"]
    # Given a line of ¥6,000 set for this year: the two households below it are flagged
    first = _set(staff, province, "6000.00")
    assert _flagged_below() == {h["5000.00"].pk, h["5500.00"].pk}
    assert (first.previous_amount, first.flagged, first.withdrawn) == (None, 2, 0)

    # When it is raised to ¥6,800: one more household is flagged, none twice
    raised = _set(staff, province, "6800.00")
    assert _flagged_below() == {h["5000.00"].pk, h["5500.00"].pk, h["6500.00"].pk}
    assert (raised.flagged, raised.withdrawn) == (1, 0)
    assert EarlyWarning.objects.filter(reason=BELOW).count() == 3

    # When it is lowered to ¥5,200: the warnings of households now above it are withdrawn,
    # pointing at the change that withdrew them; the household still below keeps its own
    lowered = _set(staff, province, "5200.00")
    assert _flagged_below() == {h["5000.00"].pk}
    assert (lowered.flagged, lowered.withdrawn) == (0, 2)
    withdrawn = EarlyWarning.objects.filter(state=EarlyWarning.State.WITHDRAWN)
    assert {w.household_id for w in withdrawn} == {h["5500.00"].pk, h["6500.00"].pk}
    assert {w.withdrawn_by for w in withdrawn} == {lowered}

    # When it goes back up the same day, they are flagged again
    again = _set(staff, province, "6800.00")
    assert _flagged_below() == {h["5000.00"].pk, h["5500.00"].pk, h["6500.00"].pk}
    assert again.flagged == 2

    # The other province's household, with no line, is never flagged below a line
    assert province_world["elsewhere"].pk not in _flagged_below()
    # The line in force is the last one, and every value it had is kept with who set it
    line = IncomeThreshold.objects.get(province=province, year=2026)
    assert line.amount_per_head == Decimal("6800.00") and line.set_by == staff
    assert list(
        IncomeThresholdRevision.objects.filter(threshold=line)
        .order_by("id")
        .values_list("previous_amount", "amount_per_head", "changed_by")
    ) == [
        (None, Decimal("6000.00"), staff.pk),
        (Decimal("6000.00"), Decimal("6800.00"), staff.pk),
        (Decimal("6800.00"), Decimal("5200.00"), staff.pk),
        (Decimal("5200.00"), Decimal("6800.00"), staff.pk),
    ]


def test_the_audit_shows_who_changed_a_line_and_from_what(staff, province_world):
    _set(staff, province_world["province"], "6000.00")
    _set(staff, province_world["province"], "6300.00", reason="省政府通知")

    entry = AuditEntry.objects.filter(action="income_threshold.set").order_by("-pk").first()

    assert entry.actor == staff
    assert entry.detail["previous"] == "6000.00" and entry.detail["amount"] == "6300.00"
    assert entry.detail["reason"] == "省政府通知" and entry.detail["year"] == 2026


def test_a_line_for_another_year_flags_nobody_now(staff, province_world):
    revision = _set(staff, province_world["province"], "9000.00", year=2027)

    assert revision.flagged == 0 and not EarlyWarning.objects.exists()


def test_bad_lines_are_refused_and_change_nothing(staff, province_world):
    province = province_world["province"]
    _set(staff, province, "6000.00")
    with pytest.raises(ValidationError):
        _set(staff, province, "6000.00")  # the same value
    with pytest.raises(ValidationError):
        _set(staff, province, "0.00")
    with pytest.raises(ValidationError):
        _set(staff, province, "6100.00", reason="  ")
    with pytest.raises(ValidationError):
        _set(staff, province_world["county"], "6100.00")  # a county, not a province
    with pytest.raises(PermissionDenied):
        _set(UserFactory(roles=[EVALUATOR]), province, "6100.00")

    assert IncomeThresholdRevision.objects.count() == 1
    assert IncomeThreshold.objects.get().amount_per_head == Decimal("6000.00")


def test_other_income_recorded_by_the_county_counts_in_the_check(staff, province_world):
    # Given a household of 2 with ¥5,000 per head at registration and a line of ¥6,000
    county = province_world["county"]
    household = _household(county, "5000.00", size=2)
    officer = county_officer_create(county=county)
    IncomeThreshold.objects.create(
        province=province_world["province"], year=2026, amount_per_head=Decimal("6000.00")
    )
    # and ¥2,400 of wages last year: counted while this year has none recorded
    other_income_record(
        officer=officer, household=household, year=2025, source="wages", amount=Decimal("2400")
    )

    households_monitor(on=TODAY)

    # Then its income per head is 5000 + 2400 / 2 = 6200: not below the line
    assert not EarlyWarning.objects.filter(household=household).exists()

    # When the record is voided (a mistake), the next check flags it, from the registration
    # baseline alone, and the record stays, struck out
    record = OtherIncome.objects.get(household=household)
    other_income_void(officer=officer, record=record, reason="重复登记")
    households_monitor(on=TODAY + datetime.timedelta(days=1))
    warning = EarlyWarning.objects.get(household=household, reason=BELOW)
    assert warning.income_per_head == Decimal("5000.00")
    assert OtherIncome.objects.filter(household=household, voided_at__isnull=False).exists()
    assert set(
        AuditEntry.objects.filter(target_id=str(household.pk)).values_list("action", flat=True)
    ) >= {"other_income.record", "other_income.void"}


def test_other_income_only_by_the_households_own_county_office(province_world):
    household = province_world["households"]["5000.00"]
    stranger = county_officer_create(county=_county(province_world["province"]))

    with pytest.raises(PermissionDenied):
        other_income_record(
            officer=stranger, household=household, year=2026, source="wages", amount=Decimal("1")
        )
    assert not OtherIncome.objects.exists()


# --- the screens ---------------------------------------------------------------------------


def test_platform_staff_set_a_line_on_the_screen_and_see_its_history(client, staff, province_world):
    province = province_world["province"]
    year = timezone.localdate().year
    client.force_login(staff)
    assert client.get(reverse("income:monitoring-lines")).status_code == 200

    response = client.post(
        reverse("income:monitoring-lines"),
        {"province": province.pk, "year": year, "amount_per_head": "6000.00", "reason": "文件"},
    )

    line = IncomeThreshold.objects.get(province=province, year=year)
    assert response.status_code == 302
    assert response["Location"] == reverse("income:monitoring-line", args=[line.pk])
    page = client.get(response["Location"]).content.decode()
    assert "¥6,000.00" in page and "文件" in page
    assert _flagged_below() == {
        province_world["households"]["5000.00"].pk,
        province_world["households"]["5500.00"].pk,
    }
    listing = client.get(reverse("income:monitoring-lines")).content.decode()
    assert "四川省" in listing and "¥6,000.00" in listing


@pytest.mark.parametrize(
    "amount, reason",
    [("abc", "文件"), ("-5", "文件"), ("6000.001", "文件"), ("6000.00", "")],
)
def test_bad_input_on_the_screen_says_why_and_changes_nothing(
    client, staff, province_world, amount, reason
):
    client.force_login(staff)

    response = client.post(
        reverse("income:monitoring-lines"),
        {
            "province": province_world["province"].pk,
            "year": timezone.localdate().year,
            "amount_per_head": amount,
            "reason": reason,
        },
    )

    assert response.status_code == 400
    assert response.context["form"].errors
    assert not IncomeThreshold.objects.exists() and not EarlyWarning.objects.exists()


def test_only_platform_staff_reach_the_lines_screen(client, province_world):
    for role in (COUNTY_OFFICER, EVALUATOR):
        client.force_login(UserFactory(roles=[role]))
        assert client.get(reverse("income:monitoring-lines")).status_code == 403
        assert (
            client.post(
                reverse("income:monitoring-lines"),
                {"province": province_world["province"].pk, "year": 2026},
            ).status_code
            == 403
        )
    assert not IncomeThreshold.objects.exists()


def test_the_county_records_other_income_on_the_screen(client, province_world):
    county = province_world["county"]
    household = province_world["households"]["5000.00"]
    client.force_login(county_officer_create(county=county))
    url = reverse("income:county-other-income", args=[household.pk])

    bad = client.post(url, {"year": timezone.localdate().year, "source": "wages", "amount": "0"})
    assert bad.status_code == 400 and not OtherIncome.objects.exists()

    ok = client.post(
        url, {"year": timezone.localdate().year, "source": "wages", "amount": "3600.50"}
    )
    assert ok.status_code == 302
    assert "¥3,600.50" in client.get(url).content.decode()

    record = OtherIncome.objects.get()
    client.post(reverse("income:county-other-income-void", args=[record.pk]), {"void_reason": ""})
    record.refresh_from_db()
    assert record.voided_at is None  # no reason: refused
    client.post(
        reverse("income:county-other-income-void", args=[record.pk]), {"void_reason": "录错"}
    )
    record.refresh_from_db()
    assert record.voided_at is not None and record.void_reason == "录错"

    # Another county's office neither sees nor voids it
    client.force_login(county_officer_create(county=_county(province_world["province"])))
    assert client.get(url).status_code == 404
    assert (
        client.post(
            reverse("income:county-other-income-void", args=[record.pk]), {"void_reason": "x"}
        ).status_code
        == 404
    )


def test_the_province_check_flags_alike_in_sql_and_in_python(province_world):
    # Given lines in both provinces
    IncomeThreshold.objects.create(
        province=province_world["province"], year=2026, amount_per_head=Decimal("6000.00")
    )
    other_province = province_world["elsewhere"].county.parent.parent
    IncomeThreshold.objects.create(
        province=other_province, year=2026, amount_per_head=Decimal("6000.00")
    )

    # When the check runs for one province, as the database runs it and in Python
    rows = ("household_id", "reason", "income_per_head", "threshold", "next_review_on")
    households_monitor(on=TODAY, province_id=province_world["province"].pk)
    found = sorted(EarlyWarning.objects.values_list(*rows))
    EarlyWarning.objects.all().delete()
    monitoring._households_monitor_python(on=TODAY, province_id=province_world["province"].pk)

    # Then both flag the same households of that province only
    assert sorted(EarlyWarning.objects.values_list(*rows)) == found
    assert {row[0] for row in found} == {
        province_world["households"]["5000.00"].pk,
        province_world["households"]["5500.00"].pk,
    }
