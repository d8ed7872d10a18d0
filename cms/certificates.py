"""The thank-you certificate as a PDF (reportlab), in the reader's language."""

import io
import textwrap

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas

from core.money import format_yuan
from core.pdf import cjk_font

from .selectors import Certificate

RED = HexColor("#b3261e")
INK = HexColor("#2b2b2b")


def certificate_pdf(certificate: Certificate) -> bytes:
    font = cjk_font()
    buffer = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=(width, height))
    amount = format_yuan(certificate.amount)
    pdf.setTitle(_("消费帮扶感谢证书"))
    # Plain-text summary in the document information, readable by any PDF tool.
    pdf.setSubject(
        f"Dongxi {certificate.year}: CNY {certificate.amount}, "
        f"{len(certificate.counties)} counties, {certificate.households} households"
    )
    pdf.setAuthor("东西 Dongxi")

    pdf.setStrokeColor(RED)
    pdf.setLineWidth(6)
    pdf.rect(28, 28, width - 56, height - 56)
    pdf.setLineWidth(1)
    pdf.rect(40, 40, width - 80, height - 80)

    pdf.setFillColor(RED)
    pdf.setFont(font, 34)
    pdf.drawCentredString(width / 2, height - 120, _("消费帮扶感谢证书"))
    pdf.setFillColor(INK)
    pdf.setFont(font, 20)
    pdf.drawCentredString(width / 2, height - 180, certificate.buyer_name)

    counties = "、".join(county.display_name for county in certificate.counties) or "—"
    lines = [
        _("%(year)s 年，您通过东西消费帮扶平台采购西部脱贫地区产品") % {"year": certificate.year},
        ngettext(
            "金额 %(amount)s，来自 %(count)s 个县：",
            "金额 %(amount)s，来自 %(count)s 个县：",
            len(certificate.counties),
        )
        % {"amount": amount, "count": len(certificate.counties)},
        counties,
        ngettext(
            "惠及建档立卡户 %(households)s 户。",
            "惠及建档立卡户 %(households)s 户。",
            certificate.households,
        )
        % {"households": certificate.households},
        _("感谢您对巩固拓展脱贫攻坚成果的支持！"),
    ]
    pdf.setFont(font, 15)
    y = height - 240
    for line in lines:
        for chunk in _wrap(line, 40):
            pdf.drawCentredString(width / 2, y, chunk)
            y -= 26
    pdf.setFont(font, 12)
    pdf.drawRightString(width - 80, 80, _("东西消费帮扶平台"))
    pdf.drawRightString(width - 80, 62, timezone.localdate().isoformat())
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _wrap(text: str, size: int) -> list[str]:
    if text.isascii():  # English: break between words, lines about twice as long
        return textwrap.wrap(text, size * 2) or [""]
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]
