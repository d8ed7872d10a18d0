"""PDF documents of the invoicing app (invoice, purchase statement), with a CJK font so
that Chinese renders as text, never as boxes."""

import functools
import io
from pathlib import Path

from django.conf import settings
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

# TrueType CJK fonts are embedded when one is installed; Noto CJK ships CFF outlines, which
# reportlab cannot embed, so most systems end with Adobe's STSong-Light CID font (every
# PDF reader carries it for Simplified Chinese).
TRUETYPE_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
)
CID_FONT = "STSong-Light"


@functools.cache
def cjk_font() -> str:
    """The registered font name to use for Chinese text."""
    for path in getattr(settings, "PDF_CJK_FONTS", TRUETYPE_CANDIDATES):
        if not Path(path).exists():
            continue
        try:
            pdfmetrics.registerFont(TTFont("DongxiCJK", path, subfontIndex=0))
        except TTFError:
            continue
        return "DongxiCJK"
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


def styles() -> dict[str, ParagraphStyle]:
    font = cjk_font()
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=18, leading=24, spaceAfter=6),
        "heading": ParagraphStyle("heading", fontName=font, fontSize=12, leading=16, spaceBefore=8),
        "body": ParagraphStyle("body", fontName=font, fontSize=10, leading=14),
        "small": ParagraphStyle("small", fontName=font, fontSize=8, leading=11),
    }


def table(rows: list[list], *, widths=None, header: bool = True) -> Table:
    font = cjk_font()
    cell = styles()["small"]
    data = [[Paragraph(str(value), cell) for value in row] for row in rows]
    result = Table(data, colWidths=widths, repeatRows=1 if header else 0)
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), font),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")))
    result.setStyle(TableStyle(commands))
    return result


def render(*, title: str, story: list) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )
    document.build(story)
    return buffer.getvalue()


def spacer(height_mm: float = 4) -> Spacer:
    return Spacer(1, height_mm * mm)
