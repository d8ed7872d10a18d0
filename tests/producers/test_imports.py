"""CSV import of households and benefit links: all rows valid, or nothing is imported."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from marketplace.users import roles
from producers.models import AuditEntry, BenefitKind, BenefitLink, Household
from producers.services.imports import (
    RowError,
    benefit_link_import_template,
    benefit_links_import,
    household_import_template,
    households_import,
)
from tests.factories import (
    BenefitLinkFactory,
    CooperativeFactory,
    CooperativeStaffFactory,
    CountyFactory,
    CountyOfficerFactory,
    HouseholdFactory,
    TownshipFactory,
    UserFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db

HEADER = (
    "register_number,head_name,phone,village_code,size,status,"
    "baseline_income_per_head,registered_year"
)
CHINESE_HEADER = "建档立卡编号,户主姓名,联系电话,村代码,家庭人口,状态,人均基础年收入,建档立卡年份"
LINK_HEADER = "register_number,kind,supply_share,equity_shares,started_on"


def csv_upload(text: str, *, encoding: str = "utf-8", name: str = "import.csv"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def lines(*rows: str) -> str:
    return "\r\n".join(rows) + "\r\n"


def household_row(number: str, village_code: str = "513431100001", **overrides) -> str:
    values = {
        "register_number": number,
        "head_name": "吉克阿呷",
        "phone": "13900001111",
        "village_code": village_code,
        "size": "4",
        "status": "poor",
        "baseline_income_per_head": "3200.00",
        "registered_year": "2014",
        **overrides,
    }
    return ",".join(values.values())


@pytest.fixture
def county():
    return CountyFactory()


@pytest.fixture
def village(county):
    return VillageFactory(parent=TownshipFactory(parent=county), code="513431100001")


@pytest.fixture
def officer(county, village):
    return CountyOfficerFactory(county=county, user__roles=[roles.COUNTY_OFFICER]).user


# --- households: the happy path --------------------------------------------------------------


def test_valid_file_imports_every_household(officer, village):
    # Given a file with three valid rows
    upload = csv_upload(
        lines(
            HEADER,
            household_row("5134311000010001"),
            household_row("5134311000010002"),
            household_row("5134311000010003"),
        )
    )

    # When the officer imports it
    result = households_import(officer=officer, file=upload)

    # Then every household is created in the village, with no errors
    assert (result.created, result.errors) == (3, [])
    assert Household.objects.filter(village=village).count() == 3


def test_imported_household_is_encrypted_and_found_by_its_register_number(officer, village):
    households_import(officer=officer, file=csv_upload(lines(HEADER, household_row("51343abc01"))))

    household = Household.objects.with_register_number("51343ABC01").get()
    assert household.register_number == "51343ABC01"
    assert household.county == village.parent.parent


def test_income_is_parsed_as_exact_yuan(officer, village):
    row = household_row("5134311000010001", baseline_income_per_head='"¥1,234.5"')

    households_import(officer=officer, file=csv_upload(lines(HEADER, row)))

    assert Household.objects.get().baseline_income_per_head == Decimal("1234.50")


def test_every_imported_household_is_audited(officer, village):
    upload = csv_upload(
        lines(HEADER, household_row("5134311000010001"), household_row("5134311000010002"))
    )

    households_import(officer=officer, file=upload)

    entries = AuditEntry.objects.filter(action="household.import")
    assert entries.count() == 2
    assert {entry.actor for entry in entries} == {officer}
    assert {entry.target_id for entry in entries} == {
        str(pk) for pk in Household.objects.values_list("pk", flat=True)
    }


def test_gbk_file_imports(officer, village):
    upload = csv_upload(
        lines(CHINESE_HEADER, household_row("5134311000010001", status="已脱贫")), encoding="gbk"
    )

    result = households_import(officer=officer, file=upload)

    assert result.created == 1
    household = Household.objects.get()
    assert (household.head_name, household.status) == ("吉克阿呷", Household.Status.EXITED)


def test_utf8_file_with_byte_order_mark_imports(officer, village):
    upload = csv_upload(lines(HEADER, household_row("5134311000010001")), encoding="utf-8-sig")

    result = households_import(officer=officer, file=upload)

    assert (result.created, result.errors) == (1, [])


def test_chinese_headers_and_status_labels_are_understood(officer, village):
    upload = csv_upload(
        lines(
            "建档立卡编号,户主姓名,联系电话,村代码,家庭人口,状态,人均基础年收入（元）,建档立卡年份",
            household_row("5134311000010001", status="监测户"),
            household_row("5134311000010002", status="未脱贫"),
        )
    )

    result = households_import(officer=officer, file=upload)

    assert result.created == 2
    assert set(Household.objects.values_list("status", flat=True)) == {"monitored", "poor"}


def test_downloadable_template_is_accepted_by_the_import(officer, village):
    template = household_import_template()
    body = template.lstrip("\ufeff") + household_row("5134311000010001") + "\r\n"

    result = households_import(officer=officer, file=csv_upload(body, encoding="utf-8-sig"))

    assert template.startswith("\ufeff建档立卡编号,户主姓名")
    assert result.created == 1


def test_blank_lines_are_skipped_but_still_counted(officer, village):
    upload = csv_upload(
        lines(HEADER, household_row("5134311000010001"), "", household_row("bad!", size="0"))
    )

    result = households_import(officer=officer, file=upload)

    assert {error.line for error in result.errors} == {4}


# --- households: bad rows --------------------------------------------------------------------


def test_one_bad_row_among_good_ones_imports_nothing_and_names_its_line(officer, village):
    # Given two good rows and, on line 3, a household of zero people
    upload = csv_upload(
        lines(
            HEADER,
            household_row("5134311000010001"),
            household_row("5134311000010002", size="0"),
            household_row("5134311000010003"),
        )
    )

    # When the officer imports it
    result = households_import(officer=officer, file=upload)

    # Then nothing is imported and line 3 is reported with its reason
    assert result.created == 0
    assert result.errors == [RowError(3, "家庭人口应为1到99之间的整数。")]
    assert not Household.objects.exists()
    assert not AuditEntry.objects.exists()


def test_every_bad_row_and_every_problem_is_reported(officer, village):
    upload = csv_upload(
        lines(
            HEADER,
            household_row("5134311000010001", status="unknown"),
            household_row("5134311000010002"),
            household_row("", head_name="", registered_year="2099"),
        )
    )

    result = households_import(officer=officer, file=upload)

    assert [error.line for error in result.errors] == [2, 4, 4, 4]
    messages = " ".join(error.message for error in result.errors)
    assert "状态“unknown”无法识别。" in messages
    assert "建档立卡编号不能为空。" in messages
    assert "户主姓名不能为空。" in messages
    assert "建档立卡年份应为1980到" in messages


def test_duplicate_register_numbers_within_the_file_are_reported(officer, village):
    upload = csv_upload(
        lines(
            HEADER,
            household_row("5134311000010001"),
            household_row("5134311000010002"),
            household_row("5134311000010001"),
        )
    )

    result = households_import(officer=officer, file=upload)

    assert result.errors == [RowError(4, "建档立卡编号与第2行重复。")]
    assert not Household.objects.exists()


def test_register_number_already_in_the_database_is_reported(officer, village):
    HouseholdFactory(register_number="5134311000010002", village=village)
    upload = csv_upload(
        lines(HEADER, household_row("5134311000010001"), household_row("5134311000010002"))
    )

    result = households_import(officer=officer, file=upload)

    assert result.errors == [RowError(3, "该建档立卡编号已登记。")]
    assert Household.objects.count() == 1


def test_village_of_another_county_is_reported(officer, village):
    VillageFactory(code="620000000001")
    upload = csv_upload(lines(HEADER, household_row("5134311000010001", "620000000001")))

    result = households_import(officer=officer, file=upload)

    assert result.errors == [RowError(2, "村代码620000000001不属于本县。")]


def test_unknown_village_code_is_reported(officer, village):
    upload = csv_upload(lines(HEADER, household_row("5134311000010001", "999999999999")))

    result = households_import(officer=officer, file=upload)

    assert result.errors == [RowError(2, "村代码999999999999不存在或不是村级区划。")]


@pytest.mark.parametrize("amount", ["abc", "-5", "NaN", "1.5e400"])
def test_income_that_is_not_a_valid_amount_is_reported(officer, village, amount):
    row = household_row("5134311000010001", baseline_income_per_head=amount)

    result = households_import(officer=officer, file=csv_upload(lines(HEADER, row)))

    assert [error.line for error in result.errors] == [2]
    assert "人均基础年收入" in result.errors[0].message


def test_missing_column_is_reported_on_the_header_line(officer, village):
    upload = csv_upload(lines("register_number,head_name", "5134311000010001,吉克阿呷"))

    result = households_import(officer=officer, file=upload)

    assert [error.line for error in result.errors] == [1]
    assert result.errors[0].message.startswith("缺少列：村代码、家庭人口")


def test_unknown_column_is_reported_on_the_header_line(officer, village):
    upload = csv_upload(lines(HEADER + ",身份证号", household_row("5134311000010001") + ",x"))

    result = households_import(officer=officer, file=upload)

    assert result.errors == [RowError(1, "无法识别的列：身份证号。")]


def test_file_with_only_a_header_is_reported(officer, village):
    result = households_import(officer=officer, file=csv_upload(lines(HEADER)))

    assert result.errors == [RowError(1, "文件中只有表头，没有数据行。")]


# --- households: refused files ---------------------------------------------------------------


def test_file_over_the_size_limit_is_refused(officer, village, settings):
    settings.PRODUCERS_IMPORT_MAX_BYTES = 200
    upload = csv_upload(lines(HEADER, *(household_row(f"51343110000100{n:02d}") for n in range(5))))

    with pytest.raises(ValidationError) as excinfo:
        households_import(officer=officer, file=upload)

    assert excinfo.value.code == "too_large"
    assert excinfo.value.messages[0].startswith("文件太大")
    assert not Household.objects.exists()


def test_oversized_stream_without_a_size_is_refused(officer, village, settings):
    settings.PRODUCERS_IMPORT_MAX_BYTES = 100
    stream = io.BytesIO(lines(HEADER, household_row("5134311000010001")).encode())

    with pytest.raises(ValidationError) as excinfo:
        households_import(officer=officer, file=stream)

    assert excinfo.value.code == "too_large"


@pytest.mark.parametrize(
    "content",
    [
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",  # an .xlsx (zip) file
        "建档立卡编号".encode("utf-16"),
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    ],
)
def test_file_that_is_not_text_is_refused_with_a_clear_message(officer, village, content):
    upload = SimpleUploadedFile("households.csv", content)

    with pytest.raises(ValidationError) as excinfo:
        households_import(officer=officer, file=upload)

    assert excinfo.value.code == "not_text"
    assert "CSV" in excinfo.value.messages[0]


def test_empty_file_is_refused(officer, village):
    with pytest.raises(ValidationError) as excinfo:
        households_import(officer=officer, file=SimpleUploadedFile("empty.csv", b""))

    assert excinfo.value.code == "empty"


@pytest.mark.parametrize("role", [roles.EVALUATOR, roles.COOPERATIVE_STAFF])
def test_only_a_county_officer_may_import_households(village, role):
    upload = csv_upload(lines(HEADER, household_row("5134311000010001")))

    with pytest.raises(PermissionDenied):
        households_import(officer=UserFactory(roles=[role]), file=upload)


# --- benefit links ---------------------------------------------------------------------------


@pytest.fixture
def cooperative(village):
    return CooperativeFactory(village=village)


@pytest.fixture
def staff(cooperative):
    return CooperativeStaffFactory(cooperative=cooperative)


@pytest.fixture
def households(village):
    return [
        HouseholdFactory(village=village, register_number=f"513431100001000{n}") for n in range(3)
    ]


def test_valid_link_file_imports_every_link(cooperative, staff, households):
    upload = csv_upload(
        lines(
            LINK_HEADER,
            "5134311000010000,produce_supply,1.5,,2024-03-01",
            "5134311000010001,wage_labour,,,2024-03-01",
            "5134311000010002,dividend,,5000,2024-03-01",
        )
    )

    result = benefit_links_import(actor=staff, cooperative=cooperative, file=upload)

    assert (result.created, result.errors) == (3, [])
    dividend = BenefitLink.objects.get(kind=BenefitKind.DIVIDEND)
    assert (dividend.household, dividend.equity_shares) == (households[2], Decimal("5000.00"))
    assert AuditEntry.objects.filter(action="benefit_link.import").count() == 3


def test_link_file_with_chinese_headers_kinds_and_excel_dates_imports(
    cooperative, staff, households
):
    upload = csv_upload(
        lines(
            "建档立卡编号,联结方式,供货份额,入股金额,开始日期",
            "5134311000010000,产品收购,2,,2024/3/1",
            "5134311000010001,务工就业,,,2024年3月1日",
        ),
        encoding="gb18030",
    )

    result = benefit_links_import(actor=staff, cooperative=cooperative, file=upload)

    assert result.created == 2
    assert set(BenefitLink.objects.values_list("kind", "started_on__month")) == {
        ("produce_supply", 3),
        ("wage_labour", 3),
    }


def test_link_to_a_household_of_another_county_is_reported_and_nothing_imported(
    cooperative, staff, households
):
    HouseholdFactory(register_number="6200000000000001")
    upload = csv_upload(
        lines(
            LINK_HEADER,
            "5134311000010000,wage_labour,,,2024-03-01",
            "6200000000000001,wage_labour,,,2024-03-01",
        )
    )

    result = benefit_links_import(actor=staff, cooperative=cooperative, file=upload)

    assert result.errors == [RowError(3, "本县未找到该建档立卡编号的农户。")]
    assert not BenefitLink.objects.exists()


def test_duplicate_links_within_the_file_are_reported(cooperative, staff, households):
    upload = csv_upload(
        lines(
            LINK_HEADER,
            "5134311000010000,wage_labour,,,2024-03-01",
            "5134311000010000,务工,,,2024-04-01",
        )
    )

    result = benefit_links_import(actor=staff, cooperative=cooperative, file=upload)

    assert result.errors == [RowError(3, "与第2行重复：同一农户的同一种联结方式只能有一条。")]


def test_link_already_in_the_database_is_reported(cooperative, staff, households):
    BenefitLinkFactory(cooperative=cooperative, household=households[0])
    upload = csv_upload(lines(LINK_HEADER, "5134311000010000,wage_labour,,,2024-03-01"))

    result = benefit_links_import(actor=staff, cooperative=cooperative, file=upload)

    assert result.errors == [RowError(2, "该农户已有这种联结方式的联结。")]


def test_produce_supply_row_without_a_share_is_reported(cooperative, staff, households):
    upload = csv_upload(lines(LINK_HEADER, "5134311000010000,produce_supply,,,2024-03-01"))

    result = benefit_links_import(actor=staff, cooperative=cooperative, file=upload)

    assert [error.line for error in result.errors] == [2]
    assert "供货份额" in result.errors[0].message


def test_bad_date_and_kind_are_both_reported(cooperative, staff, households):
    upload = csv_upload(lines(LINK_HEADER, "5134311000010000,捐赠,,,去年"))

    result = benefit_links_import(actor=staff, cooperative=cooperative, file=upload)

    assert result.errors == [
        RowError(2, "联结方式“捐赠”无法识别。"),
        RowError(2, "开始日期不是有效的日期，请写成2024-03-01的格式。"),
    ]


def test_link_template_is_accepted_by_the_import(cooperative, staff, households):
    body = benefit_link_import_template() + "5134311000010001,务工就业,,,2024-03-01\r\n"

    result = benefit_links_import(
        actor=staff, cooperative=cooperative, file=csv_upload(body, encoding="utf-8")
    )

    assert result.created == 1


def test_staff_of_another_cooperative_cannot_import_links(cooperative, households):
    upload = csv_upload(lines(LINK_HEADER, "5134311000010000,wage_labour,,,2024-03-01"))

    with pytest.raises(PermissionDenied):
        benefit_links_import(actor=CooperativeStaffFactory(), cooperative=cooperative, file=upload)


def test_county_officer_cannot_import_links_for_a_cooperative(cooperative, officer, households):
    upload = csv_upload(lines(LINK_HEADER, "5134311000010000,wage_labour,,,2024-03-01"))

    with pytest.raises(PermissionDenied):
        benefit_links_import(actor=officer, cooperative=cooperative, file=upload)


def test_malformed_csv_is_refused_with_a_message(officer, village):
    huge_field = '"' + "x" * 200_000 + '"'
    upload = csv_upload(lines(HEADER, huge_field))

    with pytest.raises(ValidationError) as excinfo:
        households_import(officer=officer, file=upload)

    assert excinfo.value.code == "malformed"
