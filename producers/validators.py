"""Validators for Chinese identifiers used by producers, and the size caps of every
uploaded image."""

import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: unified social credit code (统一社会信用代码).
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_char(first17: str) -> str:
    total = sum(
        CREDIT_CODE_CHARS.index(char) * weight
        for char, weight in zip(first17, _CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    if len(value) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位，当前为%(length)d位。"),
            code="length",
            params={"length": len(value)},
        )
    bad = [char for char in value if char not in CREDIT_CODE_CHARS]
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符：%(chars)s"),
            code="charset",
            params={"chars": "".join(bad)},
        )
    if credit_code_check_char(value[:17]) != value[17]:
        raise ValidationError(_("统一社会信用代码校验位不正确。"), code="checksum")


def validate_mobile_number(value: str) -> None:
    if not (
        len(value) == 11
        and value.isdecimal()
        and value.isascii()
        and value[0] == "1"
        and value[1] in "3456789"
    ):
        raise ValidationError(_("请输入11位中国大陆手机号码。"), code="mobile")


# --- uploaded images -------------------------------------------------------------------------

DEFAULT_IMAGE_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_IMAGE_MAX_PIXELS = 40_000_000  # 8000×5000; a 12000×12000 image is refused


def image_max_bytes() -> int:
    return getattr(settings, "IMAGE_UPLOAD_MAX_BYTES", DEFAULT_IMAGE_MAX_BYTES)


def image_max_pixels() -> int:
    return getattr(settings, "IMAGE_UPLOAD_MAX_PIXELS", DEFAULT_IMAGE_MAX_PIXELS)


def image_size(file) -> tuple[int, int] | None:
    """(width, height) from the image's header, without decoding its pixels; None when
    Pillow cannot read it as an image. The file is left at its start. Raises Pillow's
    DecompressionBombError past twice Pillow's own limit."""
    from PIL import Image

    file.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow warns past its own decompression-bomb limit; the caps below decide.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                return image.size
    except Image.DecompressionBombError:
        raise
    except (OSError, SyntaxError, ValueError):
        return None
    finally:
        file.seek(0)


def validate_image_upload(file) -> None:
    """An uploaded image within the byte and pixel caps (IMAGE_UPLOAD_MAX_BYTES,
    IMAGE_UPLOAD_MAX_PIXELS), read from the header only: a huge image is refused before
    anything decodes it. Whether it is an image at all is the image field's check."""
    from PIL import Image

    if file is None or not hasattr(file, "seek"):
        return
    limit = image_max_bytes()
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            _("图片太大：最大允许%(limit)s。"),
            code="image_too_large",
            params={"limit": filesizeformat(limit)},
        )
    pixels = image_max_pixels()
    too_many = ValidationError(
        _("图片尺寸太大：最多%(limit)d万像素，请缩小后再上传。"),
        code="image_too_many_pixels",
        params={"limit": pixels // 10_000},
    )
    try:
        dimensions = image_size(file)
    except Image.DecompressionBombError as exc:
        raise too_many from exc
    if dimensions is not None and dimensions[0] * dimensions[1] > pixels:
        raise too_many
