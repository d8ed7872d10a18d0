from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import IsoDateInput
from producers.models import Household, Region

from .models import FollowUpAction, OtherIncome, Payout, SupplyLot
from .services.followups import follow_up_validate


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


class IncomeThresholdForm(forms.Form):
    """Platform staff set a province's monitoring line for a year."""

    province = forms.ModelChoiceField(queryset=Region.objects.none(), label=_("省份"))
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    amount_per_head = forms.DecimalField(
        label=_("人均年收入监测线（元）"),
        max_digits=10,
        decimal_places=2,
        min_value=Decimal("0.01"),
    )
    reason = forms.CharField(
        label=_("调整依据"),
        max_length=200,
        help_text=_("例如文件名称和文号。"),
    )

    def __init__(self, *args, provinces, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["province"].queryset = provinces


class FollowUpForm(forms.Form):
    """A follow-up of an early warning or of a slack flag: what was done, and when to look
    again (or that it is resolved)."""

    action = forms.ChoiceField(label=_("跟进方式"), choices=FollowUpAction.choices)
    note = forms.CharField(label=_("跟进情况"), widget=forms.Textarea(attrs={"rows": 3}))
    measure = forms.CharField(label=_("帮扶措施"), max_length=200, required=False)
    next_review_on = forms.DateField(label=_("下次复核日期"), required=False, widget=IsoDateInput())
    closes = forms.BooleanField(label=_("风险已消除，办结"), required=False)

    def __init__(self, *args, closes_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if closes_label is not None:
            self.fields["closes"].label = closes_label

    def clean(self):
        data = super().clean()
        if not self.errors:
            problems = follow_up_validate(
                action=data.get("action"),
                note=data.get("note", ""),
                next_review_on=data.get("next_review_on"),
                closes=bool(data.get("closes")),
                today=timezone.localdate(),
            )
            for name, message in problems.items():
                self.add_error(name, message)
        return data


class OtherIncomeForm(forms.ModelForm):
    class Meta:
        model = OtherIncome
        fields = ["year", "source", "amount", "note"]


class OtherIncomeVoidForm(forms.Form):
    void_reason = forms.CharField(label=_("作废原因"), max_length=200)
