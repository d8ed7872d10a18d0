"""Reading back the text of the PDFs reportlab writes with the CJK CID font, which tests ask
for with the `cid_font` fixture (streams are ASCII85 + Flate encoded; strings are UTF-16BE
literal strings with octal escapes)."""

import base64
import re
import zlib

ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.DOTALL)
LITERAL = re.compile(rb"\((.*?)(?<!\\)\)\s*Tj", re.DOTALL)
STREAM = re.compile(rb"\bstream\r?\n(.*?)endstream", re.DOTALL)
SIMPLE = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(raw: bytes) -> bytes:
    def replace(match):
        code = match.group(1)
        if code[:1].isdigit():
            return bytes([int(code, 8)])
        return SIMPLE.get(code, code)

    return ESCAPE.sub(replace, raw)


def pdf_text(content: bytes) -> str:
    """All text drawn in the PDF, in drawing order, one string per text run."""
    runs = []
    for body in STREAM.findall(content):
        try:
            data = zlib.decompress(base64.a85decode(body.replace(b"~>", b""), adobe=False))
        except ValueError:
            continue
        for literal in LITERAL.findall(data):
            raw = _unescape(literal)
            try:
                runs.append(raw.decode("utf-16-be"))
            except UnicodeDecodeError:
                runs.append(raw.decode("latin-1"))
    return "\n".join(runs)
