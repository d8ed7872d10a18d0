from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import IsoDateInput
from producers.models import Household

from .models import Payout, SupplyLot


class HouseholdChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.masked_register_number} · {obj.village.name}"


class PayoutForm(forms.ModelForm):
    household = HouseholdChoiceField(queryset=Household.objects.none(), label=_("农户"))
    receipt = forms.FileField(
        label=_("收据（可选）"), required=False, help_text=_("PDF、PNG或JPEG格式，不超过5 MB。")
    )

    class Meta:
        model = Payout
        fields = ["household", "amount", "paid_on", "method", "reference"]
        widgets = {"paid_on": IsoDateInput()}

    def __init__(self, *args, households, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = households


class SupplyLotForm(forms.ModelForm):
    class Meta:
        model = SupplyLot
        fields = ["product", "supplied_on", "note"]
        widgets = {"supplied_on": IsoDateInput()}

    def __init__(self, *args, products, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = products


class SupplyItemForm(forms.Form):
    household = HouseholdChoiceField(queryset=Household.objects.none(), label=_("农户"))
    quantity = forms.DecimalField(
        label=_("收购数量"), max_digits=12, decimal_places=3, min_value=0.001
    )

    def __init__(self, *args, households, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["household"].queryset = households


SupplyItemFormSet = forms.formset_factory(SupplyItemForm, extra=5, min_num=1, validate_min=True)
