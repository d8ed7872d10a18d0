"""The one CJK font for every PDF the site makes (invoices, statements, scorecards,
certificates), so that Chinese renders as text, never as boxes; and the one way text
becomes a reportlab paragraph, escaped, so that nobody's product title, unit or
organisation name is read as markup (a red "new bank account" line, an <img> that opens a
local file, a link)."""

import functools
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont
from reportlab.platypus import Paragraph

# TrueType CJK fonts are embedded when one is installed (CI installs WenQuanYi Zen Hei).
# Noto CJK ships CFF outlines, which reportlab cannot embed; without a TrueType font the
# PDF names Adobe's STSong-Light CID font, which PDF readers supply for Simplified Chinese.
TRUETYPE_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
)
CID_FONT = "STSong-Light"
EMBEDDED = "DongxiCJK"


@functools.cache
def cjk_font() -> str:
    """Register the CJK font once per process and return its name."""
    for path in getattr(settings, "PDF_CJK_FONTS", TRUETYPE_CANDIDATES):
        if not Path(path).exists():
            continue
        try:
            pdfmetrics.registerFont(TTFont(EMBEDDED, path, subfontIndex=0))
        except TTFError:
            continue
        return EMBEDDED
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


class PdfMarkup(str):
    """Paragraph markup written by the code itself (made only by pdf_markup): printed as
    markup, never escaped again."""


def pdf_escape(value) -> str:
    """Any value as paragraph text: &, <, >, quotes escaped, so that it prints literally."""
    if isinstance(value, PdfMarkup):
        return value
    return escape("" if value is None else str(value), {'"': "&quot;", "'": "&#39;"})


def pdf_markup(template: str, /, **values) -> PdfMarkup:
    """The code's own markup with every value escaped, e.g.
    pdf_markup("<b>{label}</b> {value}", label=_("户名"), value=name). The template is
    always a literal in the code, never data."""
    return PdfMarkup(template.format(**{name: pdf_escape(v) for name, v in values.items()}))


def pdf_paragraph(text, style: ParagraphStyle):
    """The only way text becomes a reportlab Paragraph: escaped, unless it is PdfMarkup."""
    return Paragraph(pdf_escape(text), style)
