"""The county office's household pages and the cooperative's benefit-linkage pages."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from marketplace.users import roles
from producers.models import AuditEntry, BenefitKind, BenefitLink, BenefitScheme, Household
from tests.factories import (
    BenefitLinkFactory,
    BenefitSchemeFactory,
    CooperativeFactory,
    CooperativeStaffFactory,
    CountyFactory,
    CountyOfficerFactory,
    HouseholdFactory,
    TownshipFactory,
    VillageFactory,
    WageRecordFactory,
)

pytestmark = pytest.mark.django_db

NUMBER = "5134311000010123"
MASKED = "5134**********23"


def url(name: str, *args) -> str:
    return reverse(f"producers:{name}", args=args)


def village_in(county, **kwargs):
    return VillageFactory(parent=TownshipFactory(parent=county), **kwargs)


@pytest.fixture
def county():
    return CountyFactory()


@pytest.fixture
def village(county):
    return village_in(county, code="513431100001")


@pytest.fixture
def officer(county):
    return CountyOfficerFactory(county=county, user__roles=[roles.COUNTY_OFFICER]).user


@pytest.fixture
def household(village):
    return HouseholdFactory(village=village, register_number=NUMBER, head_name="吉克阿呷")


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


@pytest.fixture
def cooperative(village):
    return CooperativeFactory(village=village, legal_name="火普村合作社")


@pytest.fixture
def staff_client(client, cooperative):
    client.force_login(CooperativeStaffFactory(cooperative=cooperative))
    return client


def household_post_data(home, **overrides):
    return {
        "register_number": "5134311000010999",
        "head_name": "吉克阿呷",
        "phone": "",
        "village": home.pk,
        "size": "4",
        "status": "poor",
        "baseline_income_per_head": "3200.50",
        "registered_year": "2015",
        **overrides,
    }


def _permissions(*codenames):
    return Permission.objects.filter(content_type__app_label="producers", codename__in=codenames)


# --- county: list, detail, reveal ------------------------------------------------------------


def test_county_list_shows_households_masked_with_a_reveal_button(officer_client, household):
    response = officer_client.get(url("county-households"))

    content = response.content.decode()
    assert response.status_code == 200
    assert MASKED in content
    assert NUMBER not in content
    assert "显示完整编号" in content
    assert url("county-household-reveal", household.pk) in content


def test_county_list_has_no_reveal_button_without_the_register_permission(client, household):
    officer = CountyOfficerFactory(county=household.county).user
    officer.user_permissions.add(*_permissions("view_household"))
    client.force_login(officer)

    response = client.get(url("county-households"))

    assert MASKED in response.content.decode()
    assert "显示完整编号" not in response.content.decode()


def test_county_list_shows_the_cooperatives_a_household_is_linked_to(
    officer_client, household, cooperative
):
    BenefitLinkFactory(cooperative=cooperative, household=household)

    response = officer_client.get(url("county-households"))

    assert "火普村合作社（务工就业）" in response.content.decode()


def test_county_list_filters_by_status(officer_client, village):
    HouseholdFactory(village=village, register_number="5134311000010001", status="monitored")
    HouseholdFactory(village=village, register_number="5134311000010002", status="exited")

    response = officer_client.get(url("county-households"), {"status": "monitored"})

    assert [h.register_number for h in response.context["households"]] == ["5134311000010001"]


def test_county_list_searches_by_exact_register_number(officer_client, village):
    HouseholdFactory(village=village, register_number="5134311000010001")
    HouseholdFactory(village=village, register_number="5134311000010002")

    wanted = Household.objects.with_register_number("5134311000010002").get()

    response = officer_client.post(
        url("county-household-find"), {"register_number": "5134311000010002"}
    )

    assert response.status_code == 302
    assert response["Location"] == url("county-household-detail", wanted.pk)
    assert "5134311000010002" not in response["Location"]


def test_unknown_register_number_returns_to_the_list_with_a_message(officer_client, village):
    HouseholdFactory(village=village, register_number="5134311000010001")

    response = officer_client.post(
        url("county-household-find"), {"register_number": "5134311000019999"}, follow=True
    )

    assert response.redirect_chain[-1][0] == url("county-households")
    assert "本县没有这个建档立卡编号的农户" in response.content.decode()


def test_county_list_is_paginated(officer_client, village):
    for n in range(30):
        HouseholdFactory(village=village, register_number=f"51343110000100{n:02d}")

    first = officer_client.get(url("county-households"))
    second = officer_client.get(url("county-households"), {"page": 2})

    assert len(first.context["households"]) == 25
    assert len(second.context["households"]) == 5


def test_household_detail_shows_links_and_is_masked(officer_client, household, cooperative):
    BenefitLinkFactory(
        cooperative=cooperative,
        household=household,
        kind=BenefitKind.DIVIDEND,
        equity_shares=Decimal("12345.6"),
    )

    response = officer_client.get(url("county-household-detail", household.pk))

    content = response.content.decode()
    assert MASKED in content and NUMBER not in content
    assert "火普村合作社" in content
    assert "入股分红" in content
    assert "¥12,345.60" in content


def test_reveal_shows_the_full_number_once_and_is_logged(officer_client, officer, household):
    # When the owning officer presses "显示完整编号"
    response = officer_client.post(url("county-household-reveal", household.pk))

    # Then the page shows the full number, uncached, and the view is in the audit log
    assert response.status_code == 200
    assert NUMBER in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action="household.register_number.view")
    assert entry.actor == officer
    # and the next ordinary visit is masked again
    again = officer_client.get(url("county-household-detail", household.pk))
    assert NUMBER not in again.content.decode()


def test_reveal_cannot_be_done_with_a_get(officer_client, household):
    response = officer_client.get(url("county-household-reveal", household.pk))

    assert response.status_code == 405
    assert not AuditEntry.objects.exists()


def test_detail_shows_who_viewed_the_full_number(officer_client, officer, household):
    officer_client.post(url("county-household-reveal", household.pk))

    response = officer_client.get(url("county-household-detail", household.pk))

    assert "查看完整编号" in response.content.decode()
    assert officer.email in response.content.decode() or officer.get_full_name() in (
        response.content.decode()
    )


# --- county: create, edit --------------------------------------------------------------------


def test_officer_registers_a_household_through_the_form(officer_client, village):
    response = officer_client.post(url("county-household-create"), household_post_data(village))

    household = Household.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("county-household-detail", household.pk)
    assert household.baseline_income_per_head == Decimal("3200.50")


def test_create_form_offers_only_villages_of_the_officers_county(officer_client, village):
    other = village_in(CountyFactory())

    response = officer_client.post(
        url("county-household-create"), household_post_data(village, village=other.pk)
    )

    assert response.status_code == 200
    assert "village" in response.context["form"].errors
    assert not Household.objects.exists()


def test_create_form_reports_an_already_registered_number(officer_client, village, household):
    response = officer_client.post(
        url("county-household-create"), household_post_data(village, register_number=NUMBER)
    )

    assert response.context["form"].errors["register_number"] == ["该建档立卡编号已登记。"]


def test_edit_form_never_contains_the_full_register_number(officer_client, household):
    response = officer_client.get(url("county-household-edit", household.pk))

    assert response.status_code == 200
    assert NUMBER not in response.content.decode()
    assert "吉克阿呷" in response.content.decode()


def test_edit_with_empty_register_number_keeps_it(officer_client, household, village):
    response = officer_client.post(
        url("county-household-edit", household.pk),
        household_post_data(village, register_number="", size="6"),
    )

    household.refresh_from_db()
    assert response.status_code == 302
    assert (household.register_number, household.size) == (NUMBER, 6)
    entry = AuditEntry.objects.get(action="household.update")
    assert "register_number" not in entry.detail["fields"]


def test_detail_names_the_changed_fields_in_the_audit_log(officer_client, household, village):
    officer_client.post(
        url("county-household-edit", household.pk),
        household_post_data(
            village, register_number="", head_name="阿牛", phone="13912345678", size="6"
        ),
    )

    response = officer_client.get(url("county-household-detail", household.pk))

    assert "户主姓名、家庭人口" in response.content.decode()


# --- county: import --------------------------------------------------------------------------

IMPORT_HEADER = "建档立卡编号,户主姓名,联系电话,村代码,家庭人口,状态,人均基础年收入,建档立卡年份"


def test_import_page_lists_every_bad_line(officer_client, village):
    body = "\r\n".join(
        [
            IMPORT_HEADER,
            "5134311000010001,吉克阿呷,,513431100001,4,未脱贫,3200,2014",
            "5134311000010002,吉克阿呷,,513431100001,0,未脱贫,3200,2014",
        ]
    )
    upload = SimpleUploadedFile("h.csv", body.encode("gbk"))

    response = officer_client.post(url("county-household-import"), {"file": upload})

    content = response.content.decode()
    assert "第3行" in content
    assert "家庭人口应为1到99之间的整数。" in content
    assert "未导入任何数据" in content
    assert not Household.objects.exists()


def test_import_page_reports_the_created_count(officer_client, village):
    body = IMPORT_HEADER + "\r\n5134311000010001,吉克阿呷,,513431100001,4,未脱贫,3200,2014\r\n"
    upload = SimpleUploadedFile("h.csv", body.encode("utf-8-sig"))

    response = officer_client.post(url("county-household-import"), {"file": upload})

    assert "已导入 1 户。" in response.content.decode()
    assert Household.objects.count() == 1


def test_import_page_refuses_a_file_that_is_not_text(officer_client, village):
    upload = SimpleUploadedFile("h.xlsx", b"PK\x03\x04\x00\x00binary")

    response = officer_client.post(url("county-household-import"), {"file": upload})

    assert "文件不是CSV文本文件" in response.content.decode()


def test_household_csv_template_downloads_with_chinese_headers(officer_client):
    response = officer_client.get(url("county-household-import-template"))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.decode("utf-8-sig").startswith("建档立卡编号,户主姓名,联系电话")


# --- cooperative: households, links, wages ---------------------------------------------------


def test_cooperative_sees_its_linked_households_masked(staff_client, cooperative, household):
    BenefitLinkFactory(cooperative=cooperative, household=household)
    HouseholdFactory(village=household.village, register_number="5134311000019999")

    response = staff_client.get(url("cooperative-households"))

    content = response.content.decode()
    assert list(response.context["households"]) == [household]
    assert MASKED in content and NUMBER not in content
    assert "吉克阿呷" not in content


def test_cooperative_household_detail_shows_the_links_masked(staff_client, cooperative, household):
    BenefitLinkFactory(cooperative=cooperative, household=household)

    response = staff_client.get(url("cooperative-household-detail", household.pk))

    assert MASKED in response.content.decode() and NUMBER not in response.content.decode()
    assert "务工就业" in response.content.decode()


def test_staff_link_a_household_by_its_register_number(staff_client, cooperative, household):
    response = staff_client.post(
        url("cooperative-link-create"),
        {
            "register_number": NUMBER.lower(),
            "kind": "dividend",
            "equity_shares": "800",
            "started_on": "2024-03-01",
        },
    )

    link = BenefitLink.objects.get()
    assert response.status_code == 302
    assert (link.household, link.cooperative, link.equity_shares) == (
        household,
        cooperative,
        Decimal("800.00"),
    )


def test_link_form_does_not_find_households_of_another_county(staff_client):
    HouseholdFactory(register_number="6200000000000001")

    response = staff_client.post(
        url("cooperative-link-create"),
        {"register_number": "6200000000000001", "kind": "wage_labour", "started_on": "2024-03-01"},
    )

    assert response.context["form"].errors["register_number"] == [
        "本县未找到该建档立卡编号的农户。"
    ]
    assert not BenefitLink.objects.exists()


def test_link_form_shows_the_models_rule_for_a_produce_link_without_share(staff_client, household):
    response = staff_client.post(
        url("cooperative-link-create"),
        {"register_number": NUMBER, "kind": "produce_supply", "started_on": "2024-03-01"},
    )

    assert response.context["form"].errors["supply_share"] == [
        "产品收购联结必须填写大于0的供货份额。"
    ]


def test_link_list_shows_links_masked_with_parameters(staff_client, cooperative, household):
    BenefitLinkFactory(
        cooperative=cooperative,
        household=household,
        kind=BenefitKind.DIVIDEND,
        equity_shares=Decimal("5000"),
    )

    response = staff_client.get(url("cooperative-links"))

    content = response.content.decode()
    assert MASKED in content and NUMBER not in content
    assert "¥5,000.00" in content


def test_staff_end_a_link(staff_client, cooperative):
    link = BenefitLinkFactory(cooperative=cooperative)

    response = staff_client.post(url("cooperative-link-end", link.pk), {"ended_on": "2024-12-31"})

    link.refresh_from_db()
    assert response.status_code == 302
    assert link.ended_on == datetime.date(2024, 12, 31)


def test_staff_add_a_wage_record(staff_client, cooperative):
    link = BenefitLinkFactory(cooperative=cooperative)

    response = staff_client.post(
        url("cooperative-wage-create", link.pk),
        {
            "period_start": "2024-03-01",
            "period_end": "2024-03-31",
            "days_worked": "20",
            "wages_paid": "2400",
        },
    )

    assert response.status_code == 302
    assert link.wage_records.get().wages_paid == Decimal("2400.00")
    detail = staff_client.get(url("cooperative-link-detail", link.pk))
    assert "¥2,400.00" in detail.content.decode()


def test_link_import_page_reports_the_bad_line(staff_client, household):
    body = f"建档立卡编号,联结方式,供货份额,入股金额,开始日期\r\n{NUMBER},务工就业,,,2024-13-01\r\n"
    upload = SimpleUploadedFile("links.csv", body.encode("gbk"))

    response = staff_client.post(url("cooperative-link-import"), {"file": upload})

    assert "第2行" in response.content.decode()
    assert not BenefitLink.objects.exists()


def test_link_import_page_reports_the_created_count(staff_client, household):
    body = (
        "register_number,kind,supply_share,equity_shares,started_on\r\n"
        f"{NUMBER},wage_labour,,,2024-03-01\r\n"
    )
    upload = SimpleUploadedFile("links.csv", body.encode())

    response = staff_client.post(url("cooperative-link-import"), {"file": upload})

    assert "已导入 1 条联结。" in response.content.decode()


def test_link_csv_template_downloads(staff_client):
    response = staff_client.get(url("cooperative-link-import-template"))

    assert response.content.decode("utf-8-sig").startswith("建档立卡编号,联结方式")


# --- cooperative: scheme ---------------------------------------------------------------------


def test_scheme_list_shows_versions_as_percentages_and_marks_the_one_in_force(
    staff_client, cooperative
):
    BenefitSchemeFactory(
        cooperative=cooperative,
        effective_from=datetime.date(2020, 1, 1),
        produce_share=Decimal("0.125"),
    )
    BenefitSchemeFactory(cooperative=cooperative, effective_from=datetime.date(2099, 1, 1))

    response = staff_client.get(url("cooperative-schemes"))

    content = response.content.decode()
    assert "12.5%" in content
    assert "现行" in content and "待生效" in content


def test_staff_add_a_scheme_version_in_percent(staff_client, cooperative):
    response = staff_client.post(
        url("cooperative-scheme-create"),
        {
            "effective_from": "2024-01-01",
            "produce_percent": "35",
            "wage_percent": "10.5",
            "dividend_percent": "8",
            "note": "",
        },
    )

    scheme = BenefitScheme.objects.get()
    assert response.status_code == 302
    assert (scheme.produce_share, scheme.wage_share, scheme.dividend_share) == (
        Decimal("0.3500"),
        Decimal("0.1050"),
        Decimal("0.0800"),
    )


def test_scheme_form_refuses_percentages_summing_over_100(staff_client):
    response = staff_client.post(
        url("cooperative-scheme-create"),
        {
            "effective_from": "2024-01-01",
            "produce_percent": "60",
            "wage_percent": "30",
            "dividend_percent": "20",
        },
    )

    assert response.context["form"].non_field_errors() == [
        "各联结方式的比例之和不能超过100%（当前为110%）。"
    ]
    assert not BenefitScheme.objects.exists()


def test_scheme_form_refuses_a_percentage_over_100(staff_client):
    response = staff_client.post(
        url("cooperative-scheme-create"),
        {
            "effective_from": "2024-01-01",
            "produce_percent": "101",
            "wage_percent": "0",
            "dividend_percent": "0",
        },
    )

    assert response.context["form"].errors["produce_percent"] == ["比例必须在0%到100%之间。"]


def test_scheme_form_shows_the_services_date_rule(staff_client, cooperative):
    BenefitSchemeFactory(cooperative=cooperative, effective_from=datetime.date(2025, 1, 1))

    response = staff_client.post(
        url("cooperative-scheme-create"),
        {
            "effective_from": "2024-01-01",
            "produce_percent": "30",
            "wage_percent": "0",
            "dividend_percent": "0",
        },
    )

    assert "effective_from" in response.context["form"].errors


# --- query counts ----------------------------------------------------------------------------


def _county_with_households(count: int):
    county = CountyFactory()
    villages = [village_in(county) for _ in range(3)]
    cooperative = CooperativeFactory(village=villages[0])
    for n in range(count):
        household = HouseholdFactory(village=villages[n % 3])
        BenefitLinkFactory(cooperative=cooperative, household=household)
    officer = CountyOfficerFactory(county=county, user__roles=[roles.COUNTY_OFFICER]).user
    return officer, cooperative


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


QUERY_BOUND = 20


@pytest.mark.parametrize("count", [5, 50])
def test_county_household_list_query_count_is_bounded(client, django_assert_max_num_queries, count):
    officer, _cooperative = _county_with_households(count)
    client.force_login(officer)

    with django_assert_max_num_queries(QUERY_BOUND):
        response = client.get(url("county-households"))

    assert response.status_code == 200


def test_county_household_list_query_count_does_not_grow_with_households(client):
    few_officer, _ = _county_with_households(5)
    many_officer, _ = _county_with_households(50)

    client.force_login(few_officer)
    few = _queries(client, url("county-households"))
    client.force_login(many_officer)
    many = _queries(client, url("county-households"))

    assert few == many


@pytest.mark.parametrize("count", [5, 50])
def test_cooperative_household_list_query_count_is_bounded(
    client, django_assert_max_num_queries, count
):
    _officer, cooperative = _county_with_households(count)
    client.force_login(CooperativeStaffFactory(cooperative=cooperative))

    with django_assert_max_num_queries(QUERY_BOUND):
        response = client.get(url("cooperative-households"))

    assert response.status_code == 200


def test_cooperative_household_list_query_count_does_not_grow_with_households(client):
    _, few_cooperative = _county_with_households(5)
    _, many_cooperative = _county_with_households(50)

    client.force_login(CooperativeStaffFactory(cooperative=few_cooperative))
    few = _queries(client, url("cooperative-households"))
    client.force_login(CooperativeStaffFactory(cooperative=many_cooperative))
    many = _queries(client, url("cooperative-households"))

    assert few == many


def test_link_list_query_count_does_not_grow_with_links(client):
    _, few_cooperative = _county_with_households(5)
    _, many_cooperative = _county_with_households(50)
    WageRecordFactory(link=BenefitLink.objects.filter(cooperative=many_cooperative).first())

    client.force_login(CooperativeStaffFactory(cooperative=few_cooperative))
    few = _queries(client, url("cooperative-links"))
    client.force_login(CooperativeStaffFactory(cooperative=many_cooperative))
    many = _queries(client, url("cooperative-links"))

    assert few == many
