"""A county's own report as CSV, XLSX and PDF (the PDF in the layout a county files with
its province: summary, by pairing, by buyer region, by month, each against last year).

One table of sections feeds all three: CSV and XLSX keep numbers as numbers (money with two
places, counts whole, changes in percent with one place) and escape text a spreadsheet would
run as a formula; the PDF shows money with ¥ and thousands separators, in columns as wide as
their widest figure."""

import csv
import io
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from core.csvsafe import cell_escape
from core.money import format_yuan, to_yuan
from core.pdf import cjk_font, pdf_paragraph

from .selectors.county import CountyReport

MONEY, COUNT, PERCENT, TEXT = "money", "count", "percent", "text"
XLSX_FORMATS = {MONEY: '"¥"#,##0.00', COUNT: "#,##0", PERCENT: '0.0"%"'}


@dataclass
class Section:
    title: str
    header: list[str]
    rows: list[list[tuple]]  # each cell (value, kind)


def _spreadsheet_safe(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; numbers
    stay numbers."""
    if isinstance(value, str):
        return cell_escape(value)
    return value


def _plain(value, kind: str):
    """A cell for CSV and XLSX."""
    if value is None:
        return ""
    if kind == MONEY:
        amount = to_yuan(value)
        return amount if amount else Decimal("0.00")  # never -0.00
    if kind == COUNT:
        return int(value)
    if kind == PERCENT:
        return Decimal(value).quantize(Decimal("0.1"))
    return str(value)


def cell_text(value, kind: str) -> str:
    """A cell as people read it (PDF): ¥1,234.50, 1,234, +12.5%."""
    if value is None or value == "":
        return "—" if kind == PERCENT else ""
    if kind == MONEY:
        return format_yuan(value)
    if kind == COUNT:
        return f"{int(value):,}"
    if kind == PERCENT:
        return f"{Decimal(value):+,.1f}%"
    return str(value)


def _summary(report: CountyReport) -> Section:
    this, last, change = report.this, report.last, report.changes()
    lines = [
        (_("销售额（计入考核）"), "total", MONEY),
        (_("其中：结对采购额"), "bought", MONEY),
        (_("其中：结对帮助销售额"), "helped", MONEY),
    ]
    if report.shows_offplatform:
        lines.append((_("其中：线下销售（已确认）"), "offplatform", MONEY))
    lines += [
        (_("未计入考核的销售额（销售时产品未认定）"), "not_counted", MONEY),
        (_("销售认定扶贫产品种数"), "products", COUNT),
        (_("带动建档立卡户数"), "households", COUNT),
        (_("带动贫困人口"), "people", COUNT),
        (_("带动收入门槛（元/户/年）"), "minimum", MONEY),
    ]
    rows = []
    for label, name, kind in lines:
        rows.append(
            [
                (label, TEXT),
                (getattr(this, name), kind),
                (getattr(last, name), kind),
                (change.get(name), PERCENT),
            ]
        )
    return Section(
        _("一、总体情况"),
        [
            _("项目"),
            _("%(year)s年") % {"year": report.year},
            _("%(year)s年") % {"year": report.year - 1},
            _("同比增减（%）"),
        ],
        rows,
    )


def _pairings(report: CountyReport) -> Section:
    rows = [
        [
            (p["name"], TEXT),
            (p["kind"], TEXT),
            (p["bought"], MONEY),
            (p["helped"], MONEY),
            (p["last_bought"], MONEY),
            (p["last_helped"], MONEY),
            (p["change"], PERCENT),
        ]
        for p in report.pairings
    ]
    return Section(
        _("二、按结对关系"),
        [
            _("结对关系"),
            _("类型"),
            _("采购额"),
            _("帮助销售额"),
            _("上年采购额"),
            _("上年帮助销售额"),
            _("同比增减（%）"),
        ],
        rows,
    )


def _regions(report: CountyReport) -> Section:
    rows = [
        [
            (r["name"] or _("未知地区"), TEXT),
            (r["total"], MONEY),
            (r["bought"], MONEY),
            (r["helped"], MONEY),
            (r["last_total"], MONEY),
            (r["change"], PERCENT),
        ]
        for r in report.regions
    ]
    return Section(
        _("三、按购买地区"),
        [
            _("购买地区"),
            _("销售额"),
            _("其中采购额"),
            _("其中帮助销售额"),
            _("上年销售额"),
            _("同比增减（%）"),
        ],
        rows,
    )


def _months(report: CountyReport) -> Section:
    rows = [
        [
            (_("%(month)s月") % {"month": m["month"]}, TEXT),
            (m["bought"], MONEY),
            (m["helped"], MONEY),
            (m["total"], MONEY),
            (m["last_total"], MONEY),
            (m["change"], PERCENT),
        ]
        for m in report.months
    ]
    return Section(
        _("四、按月份"),
        [
            _("月份"),
            _("采购额"),
            _("帮助销售额"),
            _("销售额合计"),
            _("上年同月销售额"),
            _("同比增减（%）"),
        ],
        rows,
    )


def sections(report: CountyReport) -> list[Section]:
    return [_summary(report), _pairings(report), _regions(report), _months(report)]


def title(report: CountyReport) -> str:
    return _("%(county)s%(year)s年度消费帮扶情况报表") % {
        "county": report.county.display_name,
        "year": report.year,
    }


def _header_cell(label: str, kinds: list[str], index: int) -> str:
    """Money columns say 元 in the header (their cells are plain numbers)."""
    return f"{label}（{_('元')}）" if kinds and kinds[index] == MONEY else label


def as_csv(*, report: CountyReport) -> bytes:
    """The sections one after another, each under its title, a blank line between."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([cell_escape(title(report))])
    for section in sections(report):
        writer.writerow([])
        writer.writerow([cell_escape(section.title)])
        kinds = [kind for _v, kind in section.rows[0]] if section.rows else []
        uniform = all([k for _v, k in row] == kinds for row in section.rows)
        writer.writerow(
            [
                cell_escape(_header_cell(h, kinds, i) if uniform else h)
                for i, h in enumerate(section.header)
            ]
        )
        for row in section.rows:
            writer.writerow([cell_escape(_plain(v, k)) for v, k in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel opens UTF-8 as such


def as_xlsx(*, report: CountyReport) -> bytes:
    """One sheet per section; money formatted with ¥ and separators, numbers as numbers."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for number, section in enumerate(sections(report), start=1):
        sheet = book.create_sheet(str(number))
        sheet.append([_spreadsheet_safe(title(report))])
        sheet.append([_spreadsheet_safe(section.title)])
        sheet.append([_spreadsheet_safe(h) for h in section.header])
        for cell in sheet[3]:
            cell.font = Font(bold=True)
        for row in section.rows:
            sheet.append([_spreadsheet_safe(_plain(v, k)) for v, k in row])
            for cell, (_v, kind) in zip(sheet[sheet.max_row], row, strict=True):
                if kind in XLSX_FORMATS and cell.value != "":
                    cell.number_format = XLSX_FORMATS[kind]
        sheet.column_dimensions["A"].width = 36
        for letter in "BCDEFG":
            sheet.column_dimensions[letter].width = 18
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_pdf(*, report: CountyReport) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

    font = cjk_font()
    size = 8
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=A4, title=title(report), leftMargin=28, rightMargin=28, topMargin=32
    )
    cell = ParagraphStyle("cell", fontName=font, fontSize=size, leading=size + 2)
    heading = ParagraphStyle("heading", fontName=font, fontSize=11, leading=15, spaceBefore=8)
    big = ParagraphStyle("title", fontName=font, fontSize=15, leading=20, alignment=1)
    small = ParagraphStyle("small", fontName=font, fontSize=7, leading=9)
    generated = timezone.localtime().strftime("%Y-%m-%d %H:%M")
    story = [
        pdf_paragraph(title(report), big),
        pdf_paragraph(
            _("填报单位：%(county)s扶贫办　　生成时间：%(time)s（北京时间）")
            % {"county": report.county.display_name, "time": generated},
            small,
        ),
    ]
    for section in sections(report):
        kinds_by_column = list(zip(*[[k for _v, k in row] for row in section.rows], strict=True))
        texts = [[cell_text(v, k) for v, k in row] for row in section.rows]
        # Each number column is as wide as its widest figure (a figure never wraps); text
        # columns share what is left and wrap between characters.
        widths = []
        for index, _label in enumerate(section.header):
            kinds = kinds_by_column[index] if kinds_by_column else (TEXT,)
            if all(k == TEXT for k in kinds):
                widths.append(None)
                continue
            widest = max([stringWidth(r[index], font, size) for r in texts] + [36])
            widths.append(widest + 14)  # 6 points of padding either side
        free = [i for i, w in enumerate(widths) if w is None]
        # Headers fit on one line too where the page has room for them (else they wrap).
        headed = [
            w if w is None else max(w, stringWidth(h, font, size) + 14)
            for w, h in zip(widths, section.header, strict=True)
        ]
        if sum(w for w in headed if w is not None) + 60 * len(free) <= doc.width:
            widths = headed
        fixed = sum(w for w in widths if w is not None)
        room = max(doc.width - fixed, 60 * len(free))
        for index in free:
            widths[index] = room / len(free)
        data = [[pdf_paragraph(h, cell) for h in section.header]]
        for row, text in zip(section.rows, texts, strict=True):
            data.append(
                [
                    pdf_paragraph(t, cell) if k == TEXT else t
                    for t, (_v, k) in zip(text, row, strict=True)
                ]
            )
        if not section.rows:
            data.append([pdf_paragraph(_("无"), cell)] + [""] * (len(section.header) - 1))
        grid = Table(data, repeatRows=1, colWidths=widths)
        grid.setStyle(
            TableStyle(
                [
                    ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("FONT", (0, 1), (-1, -1), font, size),
                    *[
                        ("ALIGN", (index, 1), (index, -1), "RIGHT")
                        for index, width in enumerate(widths)
                        if index not in free
                    ],
                ]
            )
        )
        story += [pdf_paragraph(section.title, heading), grid]
    story += [
        Spacer(1, 10),
        pdf_paragraph(
            _(
                "口径：本县产品在本年度计入考核的采购事实（含退款冲减）。采购额、帮助销售额"
                "与考核评分表中各结对该县部分一致；同一笔销售对同一结对只计入其中一项。"
                "带动户数与带动贫困人口来自收益台账：农户当年从这些销售中分得的收益达到"
                "门槛才计入。线下销售不进入收益台账。"
            ),
            small,
        ),
    ]
    doc.build(story)
    return out.getvalue()
