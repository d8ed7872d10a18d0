"""Images and PDF documents for the demo pages, generated offline (no network, no stock
photos). Idempotent: an image or document with the same title is reused."""

import io
import random
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont
from wagtail.documents.models import Document
from wagtail.images.models import Image

from core.pdf import cjk_font

CJK_FONT_FILE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
PALETTE = [
    ((214, 170, 84), (120, 80, 40)),
    ((118, 160, 90), (40, 80, 50)),
    ((90, 140, 190), (30, 60, 110)),
    ((200, 110, 80), (110, 40, 30)),
    ((160, 120, 180), (70, 40, 100)),
]


def _landscape_png(*, seed: str, label: str) -> bytes:
    """A mountain landscape with a caption, drawn with Pillow (no network, no stock photo)."""
    rng = random.Random(seed)  # noqa: S311  demo images, not security
    sky, earth = PALETTE[rng.randrange(len(PALETTE))]
    width, height = 960, 540
    image = PILImage.new("RGB", (width, height), sky)
    draw = ImageDraw.Draw(image)
    for y in range(height // 2):
        shade = tuple(min(255, c + y // 4) for c in sky)
        draw.line([(0, y), (width, y)], fill=shade)
    draw.ellipse([width - 220, 60, width - 120, 160], fill=(250, 230, 160))
    for layer in range(3):
        base = height // 2 + layer * 70
        colour = tuple(max(0, c - layer * 25) for c in earth)
        points = [(0, height)]
        for x in range(0, width + 80, 80):
            points.append((x, base - rng.randint(20, 140)))
        points.append((width, height))
        draw.polygon(points, fill=colour)
    try:
        font = ImageFont.truetype(str(CJK_FONT_FILE), 44)
    except OSError:
        font = ImageFont.load_default()
    draw.rectangle([0, height - 90, width, height], fill=(0, 0, 0))
    draw.text((32, height - 72), label, fill=(255, 255, 255), font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def landscape_image(*, title: str, label: str, name: str) -> Image:
    image = Image.objects.filter(title=title).first()
    if image is None:
        data = _landscape_png(seed=name, label=label)
        image = Image(title=title)
        image.file = ImageFile(io.BytesIO(data), name=f"{name}.png")
        image.save()
    return image


def _pdf(*, title: str, paragraphs: list[str]) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    font = cjk_font()
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4)
    width, height = A4
    pdf.setTitle(title)
    pdf.setFont(font, 16)
    pdf.drawCentredString(width / 2, height - 80, title[:34])
    pdf.setFont(font, 11)
    y = height - 130
    for paragraph in paragraphs:
        for start in range(0, len(paragraph), 38):
            pdf.drawString(60, y, paragraph[start : start + 38])
            y -= 18
        y -= 10
    pdf.showPage()
    pdf.save()
    return out.getvalue()


def pdf_document(*, title: str, name: str, paragraphs: list[str]) -> Document:
    document = Document.objects.filter(title=title).first()
    if document is None:
        document = Document(title=title)
        document.file = ContentFile(_pdf(title=title, paragraphs=paragraphs), name=f"{name}.pdf")
        document.save()
    return document
