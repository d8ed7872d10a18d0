"""Hostile CSV files through the import pages, and formula injection in CSV written by the
platform (core.csvsafe, for every export)."""

import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core import csvsafe
from marketplace.users import roles
from producers.models import BenefitLink, Household
from tests.factories import (
    CooperativeFactory,
    CooperativeStaffFactory,
    CountyOfficerFactory,
    HouseholdFactory,
    TownshipFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db

HEADER = "建档立卡编号,户主姓名,联系电话,村代码,家庭人口,状态,人均基础年收入,建档立卡年份"


def household_rows(count: int, *, village_code: str = "513431100001", start: int = 0) -> str:
    rows = [
        f"5134310101{start + n:06d},吉克阿呷,13900001111,{village_code},4,贫困户,3200.00,2014"
        for n in range(count)
    ]
    return "\r\n".join([HEADER, *rows]) + "\r\n"


@pytest.fixture
def village():
    return VillageFactory(code="513431100001")


@pytest.fixture
def officer_client(client, village):
    officer = CountyOfficerFactory(
        county=village.parent.parent, user__roles=[roles.COUNTY_OFFICER]
    ).user
    client.force_login(officer)
    return client


def import_households(client, content: bytes, name: str = "农户.csv"):
    upload = SimpleUploadedFile(name, content, content_type="text/csv")
    return client.post(reverse("producers:county-household-import"), {"file": upload})


def page_text(response) -> str:
    return response.content.decode()


def test_a_gbk_file_from_chinese_excel_is_imported(officer_client):
    response = import_households(officer_client, household_rows(3).encode("gbk"))

    assert response.status_code == 200
    assert "已导入 3 户" in page_text(response)
    assert sorted(h.head_name for h in Household.objects.all()) == ["吉克阿呷"] * 3


def test_a_utf8_file_with_excels_byte_order_mark_is_imported(officer_client):
    response = import_households(officer_client, household_rows(2).encode("utf-8-sig"))

    assert "已导入 2 户" in page_text(response)
    assert Household.objects.count() == 2


def test_an_oversized_file_is_refused_with_the_limit_and_nothing_is_imported(
    officer_client, settings
):
    settings.PRODUCERS_IMPORT_MAX_BYTES = 1024
    content = household_rows(40).encode("utf-8")
    assert len(content) > 1024

    response = import_households(officer_client, content)

    assert response.status_code == 200
    assert "文件太大：最大允许1.0\xa0KB" in page_text(response)
    assert Household.objects.count() == 0


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(b"\xff\xfe\x00\x00" + bytes(range(128, 256)) * 4, id="random-bytes"),
        pytest.param("編號".encode("big5") + b"\xff\xff\x80", id="big5-and-garbage"),
    ],
)
def test_a_file_in_an_unknown_encoding_is_refused_and_nothing_is_imported(officer_client, content):
    response = import_households(officer_client, content)

    text = page_text(response)
    assert "无法识别文件的编码" in text or "文件不是CSV文本文件" in text
    assert Household.objects.count() == 0


def test_a_spreadsheet_saved_as_xlsx_is_refused_with_how_to_save_as_csv(officer_client):
    xlsx = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + b"\x00" * 64

    response = import_households(officer_client, xlsx, name="农户.xlsx")

    assert "另存为" in page_text(response)
    assert Household.objects.count() == 0


def test_one_bad_row_at_the_end_of_a_long_file_imports_nothing(officer_client):
    content = (
        household_rows(50) + "5134310109999,吉克阿呷,13900001111,999999999999,4,贫困户,3200,2014"
    )

    response = import_households(officer_client, content.encode("gbk"))

    assert "第52行" in page_text(response)
    assert Household.objects.count() == 0


def test_a_formula_in_a_cell_is_stored_as_text_never_evaluated(officer_client):
    content = (
        HEADER + "\r\n" + '513431010100001,"=HYPERLINK(""http://x"")",,513431100001,4,'
        "贫困户,3200.00,2014\r\n"
    )

    import_households(officer_client, content.encode("utf-8"))

    assert Household.objects.get().head_name == '=HYPERLINK("http://x")'


def test_benefit_link_import_accepts_gbk_and_refuses_garbage(client):
    cooperative = CooperativeFactory()
    village = VillageFactory(parent=TownshipFactory(parent=cooperative.county))
    HouseholdFactory(village=village, register_number="513431010100007")
    client.force_login(CooperativeStaffFactory(cooperative=cooperative))
    url = reverse("producers:cooperative-link-import")
    good = "建档立卡编号,联结方式,开始日期\r\n513431010100007,务工,2024-03-01\r\n".encode("gbk")

    refused = client.post(url, {"file": SimpleUploadedFile("l.csv", b"\x81\xff\xfe" * 30)})
    assert "无法识别文件的编码" in page_text(refused)
    assert BenefitLink.objects.count() == 0

    client.post(url, {"file": SimpleUploadedFile("l.csv", good)})
    assert BenefitLink.objects.count() == 1


# --- writing CSV: formula injection ------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["=1+1", "+86 138", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "＝1+1", '=HYPERLINK("http://x")'],
)
def test_cells_a_spreadsheet_would_run_are_written_as_text(value):
    text = csvsafe.rows_write([["户主", value]], bom=False)

    (row,) = csv.reader(io.StringIO(text))
    assert row == ["户主", "'" + value]


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (Decimal("-38.00"), "-38.00"),
        (-5, "-5"),
        ("吉克阿呷", "吉克阿呷"),
        ("a=b", "a=b"),
        (None, ""),
    ],
)
def test_numbers_and_plain_text_are_written_unchanged(value, written):
    assert csvsafe.cell_escape(value) == written


def test_written_csv_starts_with_the_bom_excel_needs_for_chinese():
    text = csvsafe.rows_write([["县", "金额"], ["昭觉县", Decimal("38.00")]])

    assert text == "\ufeff县,金额\r\n昭觉县,38.00\r\n"


def test_decoding_reads_at_most_one_byte_past_the_limit():
    class Endless(io.RawIOBase):
        requested = 0

        def read(self, size=-1):
            assert size != -1, "an unbounded read of an upload"
            Endless.requested += size
            return b"a" * size

    with pytest.raises(csvsafe.ValidationError) as refused:
        csvsafe.upload_decode(Endless(), max_bytes=100)

    assert refused.value.code == "too_large"
    assert Endless.requested == 101
