"""Evidence uploads through the cooperative's page: only PDF, PNG or JPEG by content, within
the size limit, stored under a generated name whatever the uploaded name says."""

import re

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from producers.models import CooperativeDocument
from tests.factories import PDF_BYTES, PNG_BYTES, CooperativeFactory, CooperativeStaffFactory

pytestmark = pytest.mark.django_db

STORED_NAME = re.compile(r"^cooperatives/\d+/[0-9a-f]{32}\.(pdf|png|jpg)$")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "media"
    return tmp_path


@pytest.fixture
def staff_client(client):
    client.force_login(CooperativeStaffFactory(cooperative=CooperativeFactory()))
    return client


def upload(client, name: str, content: bytes, content_type: str = "application/pdf"):
    return client.post(
        reverse("producers:cooperative-certification-upload"),
        {"kind": "business_licence", "file": SimpleUploadedFile(name, content, content_type)},
    )


def messages_of(response) -> str:
    return " ".join(str(message) for message in get_messages(response.wsgi_request))


def stored_files(media) -> list:
    return [path for path in media.rglob("*") if path.is_file()]


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        pytest.param(
            "licence.pdf",
            b"<html><script>alert(1)</script></html>",
            "application/pdf",
            id="html-named-pdf",
        ),
        pytest.param(
            "licence.png",
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
            "image/png",
            id="svg-named-png",
        ),
        pytest.param(
            "licence.jpg", b"<?php system($_GET['c']); ?>", "image/jpeg", id="php-named-jpg"
        ),
        pytest.param(
            "licence.pdf",
            b"MZ\x90\x00\x03" + b"\x00" * 64,
            "application/pdf",
            id="windows-executable",
        ),
        pytest.param("licence.pdf", b"PK\x03\x04" + b"\x00" * 64, "application/pdf", id="zip"),
    ],
)
def test_files_that_are_not_pdf_png_or_jpeg_are_refused(
    staff_client, media, name, content, content_type
):
    response = upload(staff_client, name, content, content_type)

    assert "只能上传PDF、PNG或JPEG格式的文件" in messages_of(response)
    assert CooperativeDocument.objects.count() == 0
    assert stored_files(media) == []


def test_a_file_over_the_limit_is_refused_with_the_limit(staff_client, media, settings):
    settings.PRODUCERS_DOCUMENT_MAX_BYTES = 1024

    response = upload(staff_client, "licence.pdf", PDF_BYTES + b"0" * 2048)

    assert "文件太大" in messages_of(response)
    assert CooperativeDocument.objects.count() == 0
    assert stored_files(media) == []


@pytest.mark.parametrize(
    "name",
    [
        "../../../../etc/cron.d/evil.pdf",
        "..\\..\\windows\\win.ini.pdf",
        "/var/www/static/index.pdf",
        "<script>alert(1)</script>.pdf",
        "licence.pdf\x00.html",
        "营业执照" * 60 + ".pdf",
        "licence.html",
    ],
)
def test_whatever_the_uploaded_name_the_file_is_stored_under_a_generated_one(
    staff_client, media, name
):
    upload(staff_client, name, PDF_BYTES)

    document = CooperativeDocument.objects.get()
    assert STORED_NAME.match(document.file.name), document.file.name
    assert document.file.name.endswith(".pdf")
    (stored,) = stored_files(media)
    assert stored.resolve().is_relative_to((media / "media").resolve())


def test_the_extension_comes_from_the_content_not_the_name(staff_client):
    upload(staff_client, "scan.pdf", PNG_BYTES, "application/pdf")

    assert CooperativeDocument.objects.get().file.name.endswith(".png")


def test_a_document_is_downloaded_as_an_attachment_that_browsers_must_not_sniff(staff_client):
    upload(staff_client, "licence.html", PDF_BYTES, "text/html")
    document = CooperativeDocument.objects.get()

    response = staff_client.get(
        reverse("producers:cooperative-certification-document", args=[document.pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert ".html" not in response["Content-Disposition"]
