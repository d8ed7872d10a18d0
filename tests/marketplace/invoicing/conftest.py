import pytest

from core.pdf import cjk_font


@pytest.fixture
def cid_font(settings):
    """PDFs drawn with the CID font, whose text tests can read back (pdftext.py); the
    embedded TrueType path is tested in tests/core/test_pdf_font.py."""
    cjk_font.cache_clear()
    settings.PDF_CJK_FONTS = ()
    yield
    cjk_font.cache_clear()
