"""Forms of the county office's household register. Validation of the record itself is the
service's (and the model's) job; these forms only read what the officer typed."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Household, Region


def _model_field(name: str, **kwargs) -> forms.Field:
    return Household._meta.get_field(name).formfield(**kwargs)


def county_villages(county: Region):
    return Region.objects.filter(level=Region.Level.VILLAGE, parent__parent=county).select_related(
        "parent"
    )


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, village: Region) -> str:
        return f"{village.parent.name} · {village.name}（{village.code}）"


class HouseholdForm(forms.Form):
    """Create a household; on edit the register number field is empty and optional, so the
    full number is never put into a page without the audited reveal."""

    register_number = forms.CharField(label=_("建档立卡编号"), max_length=32)
    head_name = forms.CharField(label=_("户主姓名"), max_length=64)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    village = VillageChoiceField(label=_("所在村"), queryset=Region.objects.none())
    size = _model_field("size")
    status = _model_field("status")
    baseline_income_per_head = _model_field("baseline_income_per_head")
    registered_year = _model_field("registered_year")
    left_register_on = forms.DateField(
        label=_("移出登记日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("农户迁出、家庭消亡或核查清退时填写；脱贫不是移出登记。"),
    )

    def __init__(self, *args, county: Region, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = county_villages(county)
        if editing:
            field = self.fields["register_number"]
            field.required = False
            field.label = _("更正建档立卡编号")
            field.help_text = _("留空表示不修改；填写后将替换原编号。")

    @classmethod
    def initial_for(cls, household: Household) -> dict:
        """The edit form's initial values: everything but the register number."""
        return {
            "head_name": household.head_name,
            "phone": household.phone,
            "village": household.village_id,
            "size": household.size,
            "status": household.status,
            "baseline_income_per_head": household.baseline_income_per_head,
            "registered_year": household.registered_year,
            "left_register_on": household.left_register_on,
        }

    def service_fields(self) -> dict:
        fields = dict(self.cleaned_data)
        if not fields.get("register_number"):
            fields.pop("register_number", None)
        return fields


class HouseholdFilterForm(forms.Form):
    village = VillageChoiceField(
        label=_("村"), queryset=Region.objects.none(), required=False, empty_label=_("全部村")
    )
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部状态")), *Household.Status.choices],
    )

    def __init__(self, *args, county: Region, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = county_villages(county)


class HouseholdFindForm(forms.Form):
    """Find one household by its full register number. Posted, never sent in a URL, so that
    register numbers stay out of addresses, browser history and access logs."""

    register_number = forms.CharField(
        label=_("建档立卡编号"), max_length=32, help_text=_("输入完整编号精确查找")
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV文件"),
        help_text=_("UTF-8或GBK编码的CSV文件，第一行为表头。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
