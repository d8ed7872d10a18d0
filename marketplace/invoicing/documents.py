"""The invoice as PDF."""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from core.money import format_yuan

from . import pdf
from .models import Invoice


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
