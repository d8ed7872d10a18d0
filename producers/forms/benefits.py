"""Forms of the cooperative's benefit-linkage pages."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from core.forms import IsoDateInput

from ..models import BenefitKind, BenefitLink, Cooperative, Household, WageRecord

HUNDRED = Decimal("100")


def _model_field(model, name: str, **kwargs) -> forms.Field:
    return model._meta.get_field(name).formfield(**kwargs)


class BenefitLinkForm(forms.Form):
    """Staff type the register number from the household's paper record: the cooperative
    cannot browse its county's register."""

    register_number = forms.CharField(label=_("建档立卡编号"), max_length=32)
    kind = forms.ChoiceField(label=_("联结方式"), choices=BenefitKind.choices)
    supply_share = _model_field(
        BenefitLink, "supply_share", help_text=_("产品收购联结填写：该户在合作社供货中的份额。")
    )
    equity_shares = _model_field(
        BenefitLink, "equity_shares", help_text=_("入股分红联结填写：该户入股的金额（元）。")
    )
    started_on = _model_field(BenefitLink, "started_on", widget=IsoDateInput())

    def __init__(self, *args, cooperative: Cooperative, **kwargs):
        super().__init__(*args, **kwargs)
        self.cooperative = cooperative
        self.household: Household | None = None

    def clean_register_number(self) -> str:
        number = self.cleaned_data["register_number"].strip().upper()
        # Only the cooperative's own county: the answer says nothing about other counties.
        self.household = (
            Household.objects.with_register_number(number)
            .filter(county=self.cooperative.county_id)
            .first()
        )
        if self.household is None:
            raise ValidationError(_("本县未找到该建档立卡编号的农户。"))
        return number

    def service_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "household": self.household,
            "kind": data["kind"],
            "supply_share": data.get("supply_share"),
            "equity_shares": data.get("equity_shares"),
            "started_on": data["started_on"],
        }


class BenefitLinkEndForm(forms.Form):
    ended_on = forms.DateField(label=_("结束日期"), widget=IsoDateInput())


class WageRecordForm(forms.Form):
    period_start = _model_field(WageRecord, "period_start", widget=IsoDateInput())
    period_end = _model_field(WageRecord, "period_end", widget=IsoDateInput())
    days_worked = _model_field(WageRecord, "days_worked")
    wages_paid = _model_field(WageRecord, "wages_paid")

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("截止日期不能早于起始日期。"))
        return data


def _percent_field(label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=5,
        decimal_places=2,
        initial=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(HUNDRED)],
        error_messages={
            "min_value": _("比例必须在0%%到100%%之间。"),
            "max_value": _("比例必须在0%%到100%%之间。"),
        },
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "max": "100"}),
    )


class BenefitSchemeForm(forms.Form):
    """Shares are typed as percentages and handed to the service as fractions."""

    effective_from = forms.DateField(label=_("生效日期"), widget=IsoDateInput())
    produce_percent = _percent_field(_("产品收购比例（%）"))
    wage_percent = _percent_field(_("务工比例（%）"))
    dividend_percent = _percent_field(_("分红比例（%）"))
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    PERCENT_FIELDS = {
        "produce_percent": "produce_share",
        "wage_percent": "wage_share",
        "dividend_percent": "dividend_share",
    }
    SHARE_FIELDS = {share: percent for percent, share in PERCENT_FIELDS.items()}

    def clean(self):
        data = super().clean()
        percents = [data.get(name) for name in self.PERCENT_FIELDS]
        if all(percent is not None for percent in percents) and sum(percents) > HUNDRED:
            raise ValidationError(
                _("各联结方式的比例之和不能超过100%%（当前为%(total)s%%）。"),
                params={"total": sum(percents)},
            )
        return data

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {share: data[percent] / HUNDRED for percent, share in self.PERCENT_FIELDS.items()}
        return {**fields, "effective_from": data["effective_from"], "note": data["note"]}
