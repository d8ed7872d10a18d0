from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import IsoDateInput


class CertificateIssueForm(forms.Form):
    number = forms.CharField(label=_("认定证书编号"), max_length=32)
    valid_from = forms.DateField(label=_("有效期自"), widget=IsoDateInput())
    valid_to = forms.DateField(label=_("有效期至"), widget=IsoDateInput())
    households_involved = forms.IntegerField(label=_("带动建档立卡户数"), min_value=0)

    def clean(self):
        cleaned = super().clean()
        valid_from, valid_to = cleaned.get("valid_from"), cleaned.get("valid_to")
        if valid_from and valid_to:
            if valid_to < valid_from:
                self.add_error("valid_to", _("有效期截止日不能早于起始日。"))
            elif valid_to < timezone.localdate():
                self.add_error("valid_to", _("有效期截止日已过，不能认定。"))
        return cleaned


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
