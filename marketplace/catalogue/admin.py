from django import forms
from django.contrib import admin
from django.core.files.uploadedfile import UploadedFile
from oscar.apps.catalogue.admin import *  # noqa: F403
from oscar.apps.catalogue.admin import CategoryAdmin, ProductImageAdmin
from oscar.core.loading import get_model
from treebeard.forms import MoveNodeForm, movenodeform_factory

from producers.validators import validate_image_upload

Category = get_model("catalogue", "Category")
ProductImage = get_model("catalogue", "ProductImage")


def _capped_images(form) -> None:
    # A new upload in any image field must be within the byte and pixel caps.
    for name, value in form.cleaned_data.items():
        if isinstance(value, UploadedFile) and isinstance(form.fields[name], forms.ImageField):
            try:
                validate_image_upload(value)
            except forms.ValidationError as error:
                form.add_error(name, error)


class CappedImageAdminForm(forms.ModelForm):
    def clean(self):
        data = super().clean()
        _capped_images(self)
        return data


class CappedProductImageAdmin(ProductImageAdmin):
    form = CappedImageAdminForm


class CappedCategoryForm(MoveNodeForm):
    def clean(self):
        data = super().clean()
        _capped_images(self)
        return data


class CappedCategoryAdmin(CategoryAdmin):
    form = movenodeform_factory(Category, form=CappedCategoryForm)


admin.site.unregister(ProductImage)
admin.site.register(ProductImage, CappedProductImageAdmin)
admin.site.unregister(Category)
admin.site.register(Category, CappedCategoryAdmin)
