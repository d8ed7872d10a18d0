"""Every image upload is capped in bytes and in pixels, read from the image's header before
anything decodes it: Oscar's dashboard product and category images, the CMS's images, and
images sent as certification evidence or payout receipts. A 12000×12000 image is refused
whatever its (tiny) file size."""

import io
import os
import struct
import zlib

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from oscar.core.loading import get_class
from PIL import Image
from wagtail.images import get_image_model
from wagtail.models import Collection

from producers.models import CooperativeDocument
from tests.factories import CooperativeFactory, CooperativeStaffFactory, UserFactory
from tests.store_factories import product_create

pytestmark = pytest.mark.django_db

ProductImageFormSet = get_class("dashboard.catalogue.formsets", "ProductImageFormSet")
CategoryForm = get_class("dashboard.catalogue.forms", "CategoryForm")


def png_header(width: int, height: int) -> bytes:
    """A valid PNG (every chunk's CRC right) that declares width×height pixels and weighs
    well under a kilobyte: its pixels are never there, as a bomb's are compressed away."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def real_png(width: int = 40, height: int = 30) -> bytes:
    """A real PNG of noise (so that it does not compress: some 3.6 KB at 40×30)."""
    buffer = io.BytesIO()
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(buffer, "PNG")
    return buffer.getvalue()


def upload(content: bytes, name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/png")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return tmp_path


def product_image_formset(product, content: bytes):
    data = {
        "images-TOTAL_FORMS": "1",
        "images-INITIAL_FORMS": "0",
        "images-MIN_NUM_FORMS": "0",
        "images-MAX_NUM_FORMS": "1000",
        "images-0-product": str(product.pk),
        "images-0-display_order": "0",
        "images-0-caption": "",
    }
    return ProductImageFormSet(
        product.get_product_class(),
        UserFactory(is_staff=True),
        data,
        {"images-0-original": upload(content)},
        instance=product,
    )


def test_the_dashboard_refuses_a_product_image_of_12000_by_12000_pixels():
    formset = product_image_formset(product_create(), png_header(12000, 12000))

    assert not formset.is_valid()
    assert "图片尺寸太大：最多4000万像素" in str(formset.errors[0]["original"])


def test_the_dashboard_refuses_a_product_image_over_the_byte_cap(settings):
    settings.IMAGE_UPLOAD_MAX_BYTES = 1024

    formset = product_image_formset(product_create(), real_png())

    assert not formset.is_valid()
    assert "图片太大：最大允许1.0\xa0KB" in str(formset.errors[0]["original"])


def test_the_dashboard_takes_an_ordinary_product_image():
    product = product_create()
    formset = product_image_formset(product, real_png())

    assert formset.is_valid(), formset.errors
    formset.save()
    assert product.images.count() == 1


def test_the_dashboard_refuses_a_category_image_of_12000_by_12000_pixels():
    form = CategoryForm(
        {"name": "杂粮", "_position": "first-child", "_ref_node_id": ""},
        {"image": upload(png_header(12000, 12000))},
    )

    assert not form.is_valid()
    assert "图片尺寸太大" in str(form.errors["image"])


def test_the_cms_refuses_an_image_over_the_pixel_cap(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))

    response = client.post(
        reverse("wagtailimages:add"),
        {
            "title": "大图",
            "collection": Collection.get_first_root_node().pk,
            "file": upload(png_header(9000, 9000)),
        },
    )

    assert response.status_code == 200
    assert "图片尺寸太大" in response.content.decode()
    assert not get_image_model().objects.exists()


def test_certification_evidence_of_12000_by_12000_pixels_is_refused(client, media):
    client.force_login(CooperativeStaffFactory(cooperative=CooperativeFactory()))

    response = client.post(
        reverse("producers:cooperative-certification-upload"),
        {"kind": "business_licence", "file": upload(png_header(12000, 12000), "licence.png")},
    )

    messages = " ".join(str(message) for message in get_messages(response.wsgi_request))
    assert "图片尺寸太大" in messages
    assert not CooperativeDocument.objects.exists()
