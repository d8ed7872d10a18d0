"""The pairing table of a year as CSV, XLSX and PDF. Text cells are escaped so that a
spreadsheet never runs them as formulas."""

import csv
import io
import logging
from decimal import Decimal

from django.utils.translation import gettext as _

from core.money import format_yuan, to_yuan
from core.pdf import cjk_font, pdf_paragraph

from .models import Indicator
from .selectors import scorecards_for_year

logger = logging.getLogger(__name__)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value):
    """Text that a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


MONEY, WEIGHTED, COUNT, SCORE, TEXT = "money", "weighted", "count", "score", "text"


def table(*, year: int) -> tuple[list[str], list[list], list[str]]:
    """(header, rows, kind of each column). A money column holds the plain sum of the
    facts behind it; an indicator that weights priority counties adds a weighted-value
    column, which is what its score reads."""
    scorecards = list(scorecards_for_year(year=year))
    indicators = []
    for card in scorecards:
        for item in card.items.all():
            if item.indicator not in indicators:
                indicators.append(item.indicator)
    header, kinds = [_("排名"), _("结对关系"), _("类型")], [COUNT, TEXT, TEXT]
    for indicator in indicators:
        money = indicator.measure in Indicator.MONEY_MEASURES
        header.append(f"{indicator.name} {_('完成值')}")
        kinds.append(MONEY if money else COUNT)
        if indicator.priority_extra_weight:
            header.append(f"{indicator.name} {_('加权完成值')}")
            kinds.append(WEIGHTED)
        header += [f"{indicator.name} {_('目标值')}", f"{indicator.name} {_('得分')}"]
        kinds += [MONEY if money else COUNT, SCORE]
    header += [_("总分"), _("等次")]
    kinds += [SCORE, TEXT]
    rows = []
    for card in scorecards:
        items = {item.indicator_id: item for item in card.items.all()}
        row = [card.rank, str(card.pairing), card.pairing.get_kind_display()]
        for indicator in indicators:
            item = items.get(indicator.pk)
            weighted = bool(indicator.priority_extra_weight)
            if item is None:
                row += [None] * (4 if weighted else 3)
                continue
            row.append(item.value)
            if weighted:
                row.append(item.weighted_value)
            row += [item.target, item.score]
        row += [card.total, card.get_grade_display()]
        rows.append(row)
    return header, rows, kinds


def cell_text(value, kind: str) -> str:
    """A cell as people read it: money as ¥1,234.50, counts whole, scores with two places."""
    if value is None or value == "":
        return ""
    if kind == MONEY:
        return format_yuan(value)
    if kind == COUNT:
        return f"{Decimal(value):,.0f}"
    if kind in (WEIGHTED, SCORE):
        return f"{Decimal(value):,.2f}"
    return str(value)


def _plain(value, kind: str):
    """A cell for CSV and XLSX: numbers stay numbers (money with two places, counts whole)."""
    if value is None:
        return ""
    if kind == MONEY:
        return to_yuan(value)
    if kind == COUNT:
        return int(value)
    if kind in (WEIGHTED, SCORE):
        return Decimal(value).quantize(Decimal("0.01"))
    return value


def as_csv(*, year: int) -> bytes:
    """Numbers as numbers (a spreadsheet sums them); money columns say 元 in the header."""
    header, rows, kinds = table(year=year)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [escape_cell(f"{h}（元）" if k == MONEY else h) for h, k in zip(header, kinds, strict=True)]
    )
    for row in rows:
        writer.writerow([escape_cell(_plain(v, k)) for v, k in zip(row, kinds, strict=True)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 as such


def as_xlsx(*, year: int) -> bytes:
    from openpyxl import Workbook

    header, rows, kinds = table(year=year)
    book = Workbook()
    sheet = book.active
    sheet.title = str(year)
    sheet.append([escape_cell(v) for v in header])
    formats = {MONEY: '"¥"#,##0.00', COUNT: "#,##0", WEIGHTED: "#,##0.00", SCORE: "0.00"}
    for row in rows:
        # openpyxl writes Decimal as a number; the format shows ¥ and thousands separators.
        sheet.append([escape_cell(_plain(v, k)) for v, k in zip(row, kinds, strict=True)])
        for cell, kind in zip(sheet[sheet.max_row], kinds, strict=True):
            if kind in formats and cell.value != "":
                cell.number_format = formats[kind]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_pdf(*, year: int) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import SimpleDocTemplate, Table, TableStyle

    font = cjk_font()
    header, rows, kinds = table(year=year)
    out = io.BytesIO()
    page = landscape(A4)
    doc = SimpleDocTemplate(out, pagesize=page, title=f"{year}", leftMargin=24, rightMargin=24)
    cell = ParagraphStyle("cell", fontName=font, fontSize=7, leading=9)
    title = ParagraphStyle("title", fontName=font, fontSize=14, leading=18)
    texts = [[cell_text(v, k) for v, k in zip(row, kinds, strict=True)] for row in rows]
    # Each number column is as wide as its widest figure, so no figure wraps; text
    # columns share what is left (they may wrap, between characters).
    widths = []
    for index, kind in enumerate(kinds):
        if kind == TEXT:
            widths.append(None)
            continue
        widest = max([stringWidth(r[index], font, 7) for r in texts] + [20])
        widths.append(widest + 14)  # the cell's padding: 6 points either side
    fixed = sum(w for w in widths if w is not None)
    free = [i for i, w in enumerate(widths) if w is None]
    room = max(doc.width - fixed, 40 * len(free))
    for index in free:
        widths[index] = room / len(free)
    data = [[pdf_paragraph(h, cell) for h in header]]
    for row in texts:
        data.append(
            [
                # Figures are plain strings, which a table never wraps.
                pdf_paragraph(t, cell) if k == TEXT else t
                for t, k in zip(row, kinds, strict=True)
            ]
        )
    grid = Table(data, repeatRows=1, colWidths=widths)
    grid.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONT", (0, 1), (-1, -1), font, 7),
                *[
                    ("ALIGN", (index, 1), (index, -1), "RIGHT")
                    for index, kind in enumerate(kinds)
                    if kind != TEXT
                ],
            ]
        )
    )
    heading = _("%(year)s年度消费帮扶考核评分表") % {"year": year}
    doc.build([pdf_paragraph(heading, title), grid])
    return out.getvalue()
