"""CSV in and out, safely, for every import and export of the platform.

Reading: an upload becomes text only if it is small enough and decodes as UTF-8 (with or
without the BOM Excel writes) or GBK/GB18030 (Excel's default "CSV" on Chinese Windows);
anything else is refused with a message in the user's language.
Writing: a cell that a spreadsheet would run as a formula (= + - @, or a tab or carriage
return before one of them) is written with a leading apostrophe, so an exported household
name or product title can never become a formula (CSV/formula injection).
"""

import codecs
import csv
import io
import unicodedata
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# The fullwidth ＝＋－＠ above: some spreadsheets (WPS, Excel with IME input) read them as formulas.


def cell_escape(value) -> str:
    """`value` as a CSV cell that spreadsheets show as text. Numbers stay numbers: a negative
    amount such as -38.00 is data, not a formula, and is left as it is."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def rows_write(rows: Iterable[Iterable], *, bom: bool = True) -> str:
    """Rows of values as CSV text (CRLF line ends, every cell escaped). With `bom`, Excel on
    Windows opens the UTF-8 text with the Chinese intact."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([cell_escape(value) for value in row])
    return ("\ufeff" if bom else "") + buffer.getvalue()


def _refuse_not_text():
    raise ValidationError(
        _("文件不是CSV文本文件。请在Excel中选择“另存为”，保存类型选“CSV（逗号分隔）”后再上传。"),
        code="not_text",
    )


def upload_decode(file, *, max_bytes: int) -> str:
    """The text of an uploaded CSV file: UTF-8 (with or without BOM), else GBK/GB18030.

    Refuses (ValidationError with a Chinese message, code too_large / empty / not_text /
    encoding) a file over `max_bytes`, an empty one, a binary one (NUL bytes, UTF-16, control
    characters) and one that is neither encoding. Reads at most max_bytes + 1 bytes, so a
    stream without a declared size cannot exhaust memory.
    """
    too_large = ValidationError(
        _("文件太大：最大允许%(limit)s，请分成几个文件导入。")
        % {"limit": filesizeformat(max_bytes)},
        code="too_large",
    )
    if getattr(file, "size", None) is not None and file.size > max_bytes:
        raise too_large
    data = file.read(max_bytes + 1)
    if isinstance(data, str):
        data = data.encode()
    if len(data) > max_bytes:
        raise too_large
    if not data.strip():
        raise ValidationError(_("文件是空的。"), code="empty")
    if data.startswith(codecs.BOM_UTF8):
        encodings = ("utf-8-sig",)
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data:
        _refuse_not_text()
    else:
        encodings = ("utf-8", "gb18030")
    for encoding in encodings:
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationError(
            _("无法识别文件的编码，请保存为UTF-8或GBK编码的CSV文件。"), code="encoding"
        )
    if any(unicodedata.category(char) == "Cc" and char not in "\t\r\n" for char in text):
        _refuse_not_text()
    return text
