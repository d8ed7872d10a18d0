"""Nobody forges a PDF document the platform issues: a product title, a unit or an
organisation name prints as the text it is, never as reportlab markup. A title in
<font color="red"> cannot print a fake "the account has changed" line in red on the
payment notice, and a title with <img src> neither opens a file of the server nor breaks
the document."""

import base64
import datetime
import re
import zlib
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from reportlab.lib import utils as reportlab_utils
from reportlab.lib.styles import ParagraphStyle

from core.pdf import cjk_font, pdf_markup, pdf_paragraph
from evaluation.models import Pairing
from marketplace.invoicing.services import invoice_payment_record
from marketplace.users.roles import EVALUATOR
from tests.evaluation.factories import (
    AgreementFactory,
    bought,
    east_west_world,
    product_from,
)
from tests.factories import CountyFactory, OrganisationFactory, UserFactory
from tests.marketplace.invoicing.pdftext import STREAM, pdf_text
from tests.marketplace.organisations.builders import invoiced_order, member
from tests.store_factories import product_create

pytestmark = pytest.mark.django_db

FAKE_NOTICE = '<font color="red">本单收款账户已变更：6222 0000 1111 2222</font>'
LOCAL_FILE = "/etc/passwd"
IMAGE = f'<img src="{LOCAL_FILE}"/>'
REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def cid_font(settings):
    """PDFs drawn with the CID font, whose text pdf_text reads back."""
    cjk_font.cache_clear()
    settings.PDF_CJK_FONTS = ()
    yield
    cjk_font.cache_clear()


@pytest.fixture
def opened(monkeypatch) -> list:
    """Every file or URL reportlab opens for reading while the test runs."""
    names = []
    original = reportlab_utils.open_for_read

    def recording(name, mode="b"):
        names.append(name)
        return original(name, mode)

    monkeypatch.setattr(reportlab_utils, "open_for_read", recording)
    return names


def flat(text: str) -> str:
    """Text without the line breaks a table cell wraps it at."""
    return re.sub(r"\s+", "", text)


def drawing_operators(content: bytes) -> bytes:
    """The decoded page content streams: what the PDF draws and in which colours."""
    streams = []
    for body in STREAM.findall(content):
        try:
            streams.append(zlib.decompress(base64.a85decode(body.replace(b"~>", b""))))
        except ValueError:
            continue
    return b"\n".join(streams)


def red_fill(content: bytes) -> bool:
    return re.search(rb"(?m)(^|\s)1 0 0 rg\b", drawing_operators(content)) is not None


def invoice_for(title: str):
    organisation = OrganisationFactory(name="杭州市机关食堂")
    buyer = member(organisation)
    product = product_create(title=title, price=Decimal("38.00"), num_in_stock=5)
    return buyer, invoiced_order(organisation, buyer, [(product, 2)])


def invoice_download(client, buyer, invoice):
    client.force_login(buyer)
    return client.get(
        reverse(
            "organisations:invoice-pdf",
            kwargs={"pk": invoice.organisation_id, "number": invoice.number},
        )
    )


def test_a_title_in_red_font_markup_prints_literally_on_the_invoice(client):
    # Given an invoiced order of a product whose title is a fake bank instruction in red
    buyer, invoice = invoice_for(FAKE_NOTICE)

    # When the buyer downloads the payment notice
    response = invoice_download(client, buyer, invoice)

    # Then the title is printed as the text it is, angle brackets and all, in no red
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert flat(FAKE_NOTICE) in flat(pdf_text(response.content))
    assert not red_fill(response.content)


def test_a_title_with_an_image_tag_gives_the_invoice_and_opens_no_file(client, opened):
    buyer, invoice = invoice_for(f"凉山苦荞茶{IMAGE}")

    response = invoice_download(client, buyer, invoice)

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert flat(IMAGE) in flat(pdf_text(response.content))
    assert LOCAL_FILE not in opened


def test_the_purchase_statement_prints_titles_literally_and_opens_no_file(client, opened):
    # Given a settled invoice of two products with markup in their titles
    organisation = OrganisationFactory()
    buyer = member(organisation)
    red = product_create(title=FAKE_NOTICE, price=Decimal("38.00"))
    image = product_create(title=f"昭觉蜂蜜{IMAGE}", price=Decimal("66.50"))
    invoice = invoiced_order(organisation, buyer, [(red, 1), (image, 1)])
    invoice_payment_record(
        invoice=invoice,
        actor=UserFactory(is_superuser=True),
        amount=invoice.amount,
        bank_reference="R1",
        booked_on=timezone.localdate(),
    )
    year = timezone.localdate().year
    client.force_login(buyer)

    # When the buyer downloads the year's purchase statement
    response = client.get(
        reverse("organisations:statement-export", kwargs={"pk": organisation.pk, "format": "pdf"}),
        {"start": datetime.date(year, 1, 1), "end": datetime.date(year, 12, 31)},
    )

    # Then both titles print as text, nothing is red and no file was opened
    assert response.status_code == 200
    text = flat(pdf_text(response.content))
    assert flat(FAKE_NOTICE) in text
    assert flat(IMAGE) in text
    assert not red_fill(response.content)
    assert LOCAL_FILE not in opened


def test_the_evaluation_pdf_export_prints_unit_names_literally_and_opens_no_file(client, opened):
    # Given a designated pairing whose assisting unit's name carries markup
    world = east_west_world()
    AgreementFactory(pairing=world["pairing"], year=2025, target_bought=Decimal("1000.00"))
    evil = Pairing.objects.create(
        kind="designated",
        assisting_unit=f"{FAKE_NOTICE}{IMAGE}",
        west_region=CountyFactory(),
        start_year=2020,
    )
    AgreementFactory(pairing=evil, year=2025)
    bought(product_from(world["zhaojue"], price=Decimal("100.00")), 1)
    client.force_login(UserFactory(roles=[EVALUATOR]))

    # When an evaluator exports the year's table as PDF
    response = client.get(reverse("evaluation:export", args=[2025, "pdf"]))

    # Then the unit's name is printed as text, in no red, and no file was opened
    assert response.status_code == 200
    text = flat(pdf_text(response.content))
    assert flat(FAKE_NOTICE) in text
    assert flat(IMAGE) in text
    assert not red_fill(response.content)
    assert LOCAL_FILE not in opened


def test_the_codes_own_markup_keeps_its_bold_and_escapes_the_values_it_holds(opened):
    # Given the code's own bold label around a value somebody typed
    markup = pdf_markup("<b>{label}</b> {value}", label="户名", value=IMAGE)

    # When it becomes a paragraph (escaping it again changes nothing)
    paragraph = pdf_paragraph(pdf_markup("{line}", line=markup), ParagraphStyle("body"))

    # Then the label is bold and the value is the text it is: no image, no file opened
    fragments = [(fragment.text, getattr(fragment, "bold", 0)) for fragment in paragraph.frags]
    assert ("户名", 1) in fragments
    assert "".join(text for text, _bold in fragments).endswith(IMAGE)
    assert not any(getattr(fragment, "cbDefn", None) for fragment in paragraph.frags)
    assert LOCAL_FILE not in opened


def test_only_the_pdf_helper_turns_text_into_reportlab_markup():
    # Every paragraph of every document goes through core.pdf.pdf_paragraph, which
    # escapes what it is given; a module building reportlab paragraphs itself would not.
    markup_flowables = re.compile(
        r"\b(X?Paragraph|XPreformatted|Para)\s*\(|import[^\n]*\bParagraph\b"
    )
    offenders = [
        str(path.relative_to(REPO_ROOT))
        for top in ("config", "marketplace", "producers", "evaluation", "cms", "bench")
        for path in (REPO_ROOT / top).rglob("*.py")
        if path.relative_to(REPO_ROOT) != Path("core/pdf.py")
        and markup_flowables.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
