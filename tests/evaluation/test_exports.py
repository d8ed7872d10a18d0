"""Exports read well: money is the plain sum with ¥ and thousands separators (the weighted
value a column of its own), counts are whole, and no figure is wrapped in the PDF."""

import csv
import io
import re
from decimal import Decimal

import pytest

from evaluation import exports
from evaluation.models import Indicator

from .factories import AgreementFactory, IndicatorFactory, bought, east_west_world, product_from

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = east_west_world()
    AgreementFactory(pairing=world["pairing"], year=2025, target_bought=Decimal("10000.00"))
    IndicatorFactory(code="bought", priority_extra_weight=Decimal("0.20"))
    IndicatorFactory(
        code="products",
        name="认定产品种数",
        measure=Indicator.Measure.CERTIFIED_PRODUCTS,
        target_source=Indicator.TargetSource.AGREEMENT_PRODUCTS,
    )
    # ¥5,689.00 bought from a supervision-target county: weighted 6,826.80 for the score
    bought(product_from(world["zhaojue"], price=Decimal("5689.00")), 1)
    return world


def test_the_pdf_reads_back_with_whole_figures(world):
    from pdfminer.high_level import extract_text

    text = extract_text(io.BytesIO(exports.as_pdf(year=2025)))

    # Money with ¥ and separators, the weighted value beside it, counts whole, each on
    # one line (a figure wrapped mid-way would be split across lines)
    lines = [line.strip() for line in text.splitlines()]
    assert "¥5,689.00" in lines
    assert "¥10,000.00" in lines
    assert "6,826.80" in lines
    assert "1" in lines and "2" in lines  # products sold, and the agreement's target
    assert not re.search(r"\d\.0000", text)  # no four-place figures anywhere


def test_csv_and_xlsx_keep_numbers_as_numbers_with_the_weighted_value_apart(world):
    from openpyxl import load_workbook

    header, *rows = csv.reader(io.StringIO(exports.as_csv(year=2025).decode("utf-8-sig")))
    row = dict(zip(header, rows[0], strict=True))
    assert row["采购额 完成值（元）"] == "5689.00"
    assert row["采购额 加权完成值"] == "6826.80"
    assert row["认定产品种数 完成值"] == "1"

    sheet = load_workbook(io.BytesIO(exports.as_xlsx(year=2025))).active
    cells = {h.value: c for h, c in zip(sheet[1], sheet[2], strict=True)}
    money = cells["采购额 完成值"]
    assert money.value == 5689 and money.number_format == '"¥"#,##0.00'
    assert cells["认定产品种数 完成值"].value == 1
