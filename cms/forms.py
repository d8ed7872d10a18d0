"""The CMS's image form (WAGTAILIMAGES_IMAGE_FORM_BASE): an upload is checked against the
site's byte and pixel caps from its header before Wagtail opens it, as Wagtail's own pixel
check decodes the whole image; an image Pillow cannot read is refused, not a server error."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.images.fields import WagtailImageField
from wagtail.images.forms import BaseImageForm

from producers.validators import validate_image_upload


class CappedWagtailImageField(WagtailImageField):
    def to_python(self, data):
        if data is not None and hasattr(data, "seek"):
            validate_image_upload(data)
        try:
            return super().to_python(data)
        except OSError as exc:  # a truncated or corrupt image, found while decoding it
            raise ValidationError(
                self.error_messages["invalid_image"], code="invalid_image"
            ) from exc


class ImageForm(BaseImageForm):
    file = CappedWagtailImageField(label=_("文件"))
