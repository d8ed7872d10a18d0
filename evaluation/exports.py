"""The pairing table of a year as CSV, XLSX and PDF. Text cells are escaped so that a
spreadsheet never runs them as formulas."""

import csv
import io
import logging

from django.utils.translation import gettext as _

from core.pdf import cjk_font, pdf_paragraph

from .selectors import scorecards_for_year

logger = logging.getLogger(__name__)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value):
    """Text that a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def table(*, year: int) -> tuple[list[str], list[list]]:
    scorecards = list(scorecards_for_year(year=year))
    indicators = []
    for card in scorecards:
        for item in card.items.all():
            if item.indicator not in indicators:
                indicators.append(item.indicator)
    header = [_("排名"), _("结对关系"), _("类型")]
    for indicator in indicators:
        header += [
            f"{indicator.name} {_('完成值')}",
            f"{indicator.name} {_('目标值')}",
            f"{indicator.name} {_('得分')}",
        ]
    header += [_("总分"), _("等次")]
    rows = []
    for card in scorecards:
        items = {item.indicator_id: item for item in card.items.all()}
        row = [card.rank, str(card.pairing), card.pairing.get_kind_display()]
        for indicator in indicators:
            item = items.get(indicator.pk)
            row += [item.value, item.target, item.score] if item else ["", "", ""]
        row += [card.total, card.get_grade_display()]
        rows.append(row)
    return header, rows


def as_csv(*, year: int) -> bytes:
    header, rows = table(year=year)
    out = io.StringIO()
    writer = csv.writer(out)
    for row in [header, *rows]:
        writer.writerow([escape_cell(v) if v is not None else "" for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 as such


def as_xlsx(*, year: int) -> bytes:
    from openpyxl import Workbook

    header, rows = table(year=year)
    book = Workbook()
    sheet = book.active
    sheet.title = str(year)
    for row in [header, *rows]:
        sheet.append([escape_cell(v) for v in row])  # openpyxl writes Decimal as a number
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_pdf(*, year: int) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

    font = cjk_font()
    header, rows = table(year=year)
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=landscape(A4), title=f"{year}")
    cell = ParagraphStyle("cell", fontName=font, fontSize=7, leading=9)
    title = ParagraphStyle("title", fontName=font, fontSize=14, leading=18)
    data = [[pdf_paragraph(v, cell) for v in row] for row in [header, *rows]]
    grid = Table(data, repeatRows=1)
    grid.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    heading = _("%(year)s年度消费帮扶考核评分表") % {"year": year}
    doc.build([pdf_paragraph(heading, title), grid])
    return out.getvalue()
