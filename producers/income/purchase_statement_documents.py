"""The purchase statement as PDF and XLSX (the invoicing app's PDF layout, so that an
organisation's statement and its invoices look alike)."""

import io

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from core.csvsafe import FORMULA_PREFIXES
from core.money import format_yuan
from marketplace.invoicing import pdf

from .purchase_statements import PurchaseStatement


def spreadsheet_safe(value):
    """Text a spreadsheet would run as a formula (=, +, -, @) is written as plain text;
    numbers stay numbers (core.csvsafe.cell_escape is the same for CSV, where all is text)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _statement_line_rows(statement: PurchaseStatement) -> list[list]:
    rows = []
    for settled in statement.lines:
        line = settled.line
        cooperative = line.cooperative
        rows.append(
            [
                timezone.localtime(settled.settled_at).date().isoformat(),
                line.order.number,
                line.title,
                cooperative.county.name if cooperative else "",
                cooperative.legal_name if cooperative else line.partner_name,
                settled.quantity,
                settled.amount,
            ]
        )
    return rows


def _line_header() -> list[str]:
    return [
        _("结算日期"),
        _("订单号"),
        _("商品"),
        _("产地县"),
        _("合作社"),
        _("数量"),
        _("金额（元）"),
    ]


def _summary(statement: PurchaseStatement) -> list[list]:
    return [
        [_("采购单位"), statement.organisation.name],
        [_("统计期间"), f"{statement.start.isoformat()} — {statement.end.isoformat()}"],
        [_("订单数"), statement.orders],
        [_("产地县数"), len(statement.counties)],
        [_("合作社数"), statement.cooperatives],
        [_("带动农户数"), statement.households_reached],
        [_("采购金额合计（元）"), statement.total],
    ]


def statement_pdf(*, statement: PurchaseStatement) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        style = pdf.styles()
        summary = [
            [label, format_yuan(v) if i == 6 else v]
            for i, (label, v) in enumerate(_summary(statement))
        ]
        lines = [_line_header()] + [
            [*row[:6], format_yuan(row[6])] for row in _statement_line_rows(statement)
        ]
        counties = [[_("产地县"), _("合作社数"), _("金额")]] + [
            [entry.county, len(entry.cooperatives), format_yuan(entry.amount)]
            for entry in statement.counties
        ]
        story = [
            pdf.paragraph(_("消费帮扶采购情况说明"), style["title"]),
            pdf.table(summary, header=False),
            pdf.paragraph(_("按产地县汇总"), style["heading"]),
            pdf.table(counties),
            pdf.paragraph(_("采购明细"), style["heading"]),
            pdf.table(lines),
            pdf.spacer(),
            pdf.paragraph(
                _("数据来源：东西消费帮扶平台已结算订单；带动农户数来自收益台账。"), style["small"]
            ),
        ]
        return pdf.render(title=_("采购情况说明"), story=story)


def statement_xlsx(*, statement: PurchaseStatement) -> bytes:
    with translation.override(settings.LANGUAGE_CODE):
        workbook = Workbook()
        summary = workbook.active
        summary.title = _("汇总")
        for row in _summary(statement):
            summary.append([spreadsheet_safe(value) for value in row])
        summary.append([])
        summary.append([_("产地县"), _("合作社数"), _("金额（元）")])
        for entry in statement.counties:
            summary.append([spreadsheet_safe(entry.county), len(entry.cooperatives), entry.amount])
        details = workbook.create_sheet(_("明细"))
        details.append(_line_header())
        for cell in details[1]:
            cell.font = Font(bold=True)
        for row in _statement_line_rows(statement):
            details.append([spreadsheet_safe(value) for value in row])
        for sheet in (summary, details):
            for row in sheet.iter_rows():
                for cell in row:
                    if hasattr(cell.value, "as_tuple"):
                        cell.number_format = "#,##0.00"
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()
