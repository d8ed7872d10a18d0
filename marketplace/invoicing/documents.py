"""The invoice as PDF, the purchase statement as PDF and XLSX."""

import io

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from core.money import format_yuan

from . import pdf
from .models import Invoice
from .selectors import PurchaseStatement

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """Text a spreadsheet would run as a formula (=, +, -, @) is written as plain text."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def invoice_pdf(*, invoice: Invoice) -> bytes:
    order = invoice.order
    bank = settings.PLATFORM_BANK_ACCOUNT
    with translation.override(settings.LANGUAGE_CODE):
        style = pdf.styles()
        rows = [[_("商品"), _("合作社"), _("数量"), _("单价"), _("金额")]]
        for line in order.lines.select_related("cooperative").order_by("pk"):
            rows.append(
                [
                    line.title,
                    line.cooperative.legal_name if line.cooperative else line.partner_name,
                    line.quantity,
                    format_yuan(line.unit_price_incl_tax),
                    format_yuan(line.line_price_incl_tax),
                ]
            )
        if order.shipping_incl_tax:
            rows.append([_("运费"), "", "", "", format_yuan(order.shipping_incl_tax)])
        rows.append([_("合计"), "", "", "", format_yuan(invoice.amount)])
        story = [
            pdf.paragraph(_("付款通知书（发票）"), style["title"]),
            pdf.table(
                [
                    [_("发票号"), invoice.number, _("订单号"), order.number],
                    [
                        _("采购单位"),
                        invoice.organisation.name,
                        _("统一社会信用代码"),
                        invoice.organisation.credit_code,
                    ],
                    [
                        _("开具日期"),
                        invoice.issued_on.isoformat(),
                        _("付款期限"),
                        invoice.due_on.isoformat(),
                    ],
                ],
                header=False,
            ),
            pdf.paragraph(_("采购明细"), style["heading"]),
            pdf.table(
                rows, widths=[55 * pdf.mm, 55 * pdf.mm, 15 * pdf.mm, 22 * pdf.mm, 27 * pdf.mm]
            ),
            pdf.paragraph(_("对公转账付款信息"), style["heading"]),
            pdf.table(
                [
                    [_("户名"), bank["name"]],
                    [_("开户行"), bank["bank"]],
                    [_("账号"), bank["number"]],
                    [_("金额"), format_yuan(invoice.amount)],
                    [_("附言（必填）"), invoice.number],
                ],
                header=False,
            ),
            pdf.spacer(),
            pdf.paragraph(
                _("请在付款期限前转账，并在附言中注明发票号，以便到账后自动核销。"), style["body"]
            ),
        ]
        return pdf.render(title=invoice.number, story=story)


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
