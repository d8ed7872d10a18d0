import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import IsoDateInput

from .models import Membership, Organisation, ProcurementBudget


class JoinForm(forms.Form):
    credit_code = forms.CharField(label=_("单位统一社会信用代码"), max_length=18)
    role = forms.ChoiceField(label=_("申请角色"), choices=Membership.Role.choices)

    def clean_credit_code(self):
        code = self.cleaned_data["credit_code"].strip().upper()
        organisation = Organisation.objects.filter(credit_code=code).first()
        if organisation is None:
            raise forms.ValidationError(_("找不到该统一社会信用代码对应的单位。"))
        self.organisation = organisation
        return code


class MembershipDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("批准")), ("reject", _("拒绝"))])


class OrganisationChoiceForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("采购单位"), queryset=Organisation.objects.none())

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        first, *others = list(organisations[:2])
        if not others:
            self.fields["organisation"].initial = first


class BasketUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV文件"),
        help_text=_("两列：商品编码（合作社货号或商品条码）、数量；UTF-8 或 GBK 编码。"),
    )


class RequestDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("批准")), ("reject", _("驳回"))])
    reason = forms.CharField(label=_("驳回原因"), max_length=255, required=False)


class BudgetForm(forms.ModelForm):
    class Meta:
        model = ProcurementBudget
        fields = ("year", "canteen_food_budget", "reserved_share")

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        if not self.instance.pk:
            self.fields["year"].initial = timezone.localdate().year
            self.fields["reserved_share"].initial = organisation.reserved_share


class PeriodForm(forms.Form):
    """A statement's period: from 2000 on, to the end of this year at the latest, five
    years long at most (a whole transition period, 2021–2025, fits)."""

    EARLIEST = datetime.date(2000, 1, 1)
    MAX_DAYS = 5 * 366

    start = forms.DateField(label=_("开始日期"), widget=IsoDateInput())
    end = forms.DateField(label=_("结束日期"), widget=IsoDateInput())

    @classmethod
    def for_request(cls, data):
        """The form and the period to show: this year so far unless a valid one is asked.
        Only an end asks for its year up to that day; only a start, that day to the end of
        its year (to today at the latest)."""
        today = timezone.localdate()
        default = (datetime.date(today.year, 1, 1), today)
        if "start" not in data and "end" not in data:
            return cls(initial={"start": default[0], "end": default[1]}), *default
        form = cls(cls._period_completed(data, today=today))
        if form.is_valid():
            return form, form.cleaned_data["start"], form.cleaned_data["end"]
        return form, *default

    @classmethod
    def _period_completed(cls, data, *, today: datetime.date):
        """The query with its missing start or end filled in from the other one."""
        start, end = data.get("start") or "", data.get("end") or ""
        if bool(start) == bool(end):
            return data
        data = data.copy()
        try:
            if end:
                day = cls.base_fields["end"].clean(end)
                data["start"] = datetime.date(day.year, 1, 1).isoformat()
            else:
                day = cls.base_fields["start"].clean(start)
                data["end"] = max(day, min(datetime.date(day.year, 12, 31), today)).isoformat()
        except forms.ValidationError:
            pass  # the form says what is wrong with the date given
        return data

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        latest = datetime.date(timezone.localdate().year, 12, 31)
        for name in ("start", "end"):
            day = data.get(name)
            if day is not None and not self.EARLIEST <= day <= latest:
                self.add_error(
                    name,
                    _("日期应在%(earliest)s至%(latest)s之间。")
                    % {"earliest": self.EARLIEST.isoformat(), "latest": latest.isoformat()},
                )
        if self.errors or not (start and end):
            return data
        if start > end:
            raise forms.ValidationError(_("开始日期不能晚于结束日期。"))
        if (end - start).days + 1 > self.MAX_DAYS:
            raise forms.ValidationError(
                _("统计期间最长五年，请缩短期间或分段查询。"), code="too_long"
            )
        return data
