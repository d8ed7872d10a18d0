from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Max, Min
from django.utils.translation import gettext_lazy as _
from oscar.apps.dashboard.catalogue import forms as oscar_forms
from oscar.core.loading import get_model

from marketplace.partner.prices import price_check
from producers.validators import validate_image_upload


class StockRecordForm(oscar_forms.StockRecordForm):
    # Oscar lets any partner stock any product. Here only a certified cooperative may put a
    # product on sale, and a product belongs to the one cooperative that makes it.
    def clean_partner(self):
        partner = self.cleaned_data["partner"]
        cooperative = partner.cooperative
        if cooperative is None:
            if not self.user.is_staff:
                raise forms.ValidationError(_("只有合作社可以上架产品。"))
            return partner
        if not cooperative.is_certified:
            raise forms.ValidationError(
                _("%(name)s 尚未通过供应商认定，不能上架产品。") % {"name": cooperative.legal_name}
            )
        product = self.instance.product if self.instance.product_id else None
        if product is not None and product.cooperative_id not in (None, cooperative.pk):
            raise forms.ValidationError(_("该产品属于另一家合作社。"))
        return partner

    def clean_price(self):
        # Oscar takes any number; a price of zero or below would make a basket pay less
        # than its other lines and write negative household income.
        return price_check(price=self.cleaned_data.get("price"))

    def save(self, commit=True):
        stockrecord = super().save(commit=commit)
        product = stockrecord.product
        cooperative = stockrecord.partner.cooperative
        if commit and cooperative is not None and product.cooperative_id is None:
            product.cooperative = cooperative
            product.save(update_fields=["cooperative"])
        return stockrecord


StockRecord = get_model("partner", "StockRecord")


class SetProductPriceForm(oscar_forms.SetProductPriceForm):
    """Oscar's bulk price action writes prices with one UPDATE and floors them at zero;
    here every price it would set must be a price a product may sell at (price_check)."""

    def clean(self):
        cleaned_data = super().clean()
        for name in ["new_price", *(f for f in self.fields if f.startswith("price_"))]:
            try:
                price_check(price=cleaned_data.get(name))
            except ValidationError as error:
                self.add_error(name, error)
        amount = cleaned_data.get("increase_by_amount")
        percentage = cleaned_data.get("increase_by_percentage")
        if amount is not None or percentage is not None:
            self._check_changed_prices(cleaned_data, amount, percentage)
        return cleaned_data

    def _check_changed_prices(self, cleaned_data, amount, percentage):
        # The lowest and highest current prices bound every price the change would set.
        products = (
            cleaned_data.get("selected_products") or self.fields["selected_products"].queryset
        )
        bounds = StockRecord.objects.filter(
            product__in=products, partner__in=cleaned_data.get("partners") or []
        ).aggregate(low=Min("price"), high=Max("price"))
        name = "increase_by_amount" if amount is not None else "increase_by_percentage"
        for price in (bounds["low"], bounds["high"]):
            if price is None:
                continue
            if amount is not None:
                changed = price + amount
            else:
                changed = price * (Decimal("1") + percentage / Decimal("100"))
            try:
                price_check(price=changed.quantize(Decimal("0.01")))
            except ValidationError as error:
                self.add_error(name, error)
                return


def _capped_image(form, name: str):
    # Oscar takes an image of any size; a huge one would be decoded for every thumbnail.
    # A new upload must be within the caps; an image already stored is left alone.
    file = form.cleaned_data.get(name)
    if isinstance(file, UploadedFile):
        validate_image_upload(file)
    return file


class ProductImageForm(oscar_forms.ProductImageForm):
    def clean_original(self):
        return _capped_image(self, "original")


class CategoryForm(oscar_forms.CategoryForm):
    def clean_image(self):
        return _capped_image(self, "image")
