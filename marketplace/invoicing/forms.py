from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import IsoDateInput


class AcceptanceForm(forms.Form):
    result = forms.ChoiceField(
        label=_("验收结果"),
        choices=[("accept", _("已收货，数量和质量合格")), ("dispute", _("有异议"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("异议原因"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class PaymentRecordForm(forms.Form):
    amount = forms.DecimalField(
        label=_("到账金额（元）"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        error_messages={"min_value": _("到账金额必须大于0元。")},
    )
    bank_reference = forms.CharField(label=_("银行流水号"), max_length=64)
    booked_on = forms.DateField(
        label=_("到账日期"),
        initial=timezone.localdate,
        widget=IsoDateInput(),
    )
    payer = forms.CharField(label=_("付款方"), max_length=128, required=False)


class StatementUploadForm(forms.Form):
    file = forms.FileField(
        label=_("银行流水CSV"),
        help_text=_("列：交易日期、交易流水号、付款人户名、金额、附言；UTF-8 或 GBK 编码。"),
    )
