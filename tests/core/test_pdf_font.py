"""Every PDF the site makes uses one CJK font: embedded when a TrueType one is installed
(CI installs WenQuanYi Zen Hei), so Chinese shows as text on any reader."""

import io
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from core.pdf import CID_FONT, EMBEDDED, TRUETYPE_CANDIDATES, cjk_font


def pdf_with(text: str) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.setFont(cjk_font(), 14)
    pdf.drawString(72, 720, text)
    pdf.save()
    return buffer.getvalue()


def test_the_font_is_embedded_when_a_truetype_cjk_font_is_installed():
    if not any(Path(path).exists() for path in TRUETYPE_CANDIDATES[:-1]):
        pytest.skip("no TrueType CJK font here: install fonts-wqy-zenhei (.ci/run does)")

    document = pdf_with("昭觉县苦荞茶")

    assert cjk_font() == EMBEDDED
    assert b"/FontFile2" in document  # the glyphs travel with the PDF


def test_without_truetype_fonts_the_pdf_names_the_chinese_cid_font(settings):
    cjk_font.cache_clear()
    settings.PDF_CJK_FONTS = ()
    try:
        document = pdf_with("昭觉县苦荞茶")
        assert CID_FONT.encode() in document
    finally:
        cjk_font.cache_clear()
