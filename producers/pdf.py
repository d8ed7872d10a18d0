"""The one CJK font for every PDF the site makes (invoices, statements, scorecards,
certificates), so that Chinese renders as text, never as boxes."""

import functools
from pathlib import Path

from django.conf import settings
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

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
