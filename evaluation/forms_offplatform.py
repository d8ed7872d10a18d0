"""Forms of the off-platform sale pages: they only shape input; the service validates it
(products of the cooperative, money to the fen, evidence by content)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from producers.income.forms import HouseholdChoiceField
from producers.models import Cooperative

from .models import OffPlatformSale
from .selectors.offplatform import recorder_organisations

Product = get_model("catalogue", "Product")
LINES = 3


class ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.title} · {obj.cooperative}"


class OffPlatformSaleForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=None, label=_("组织销售的单位"))
    cooperative = forms.ModelChoiceField(
        queryset=Cooperative.objects.order_by("legal_name"), label=_("合作社")
    )
    channel_kind = forms.ChoiceField(
        choices=OffPlatformSale.ChannelKind.choices, label=_("渠道类型")
    )
    channel_name = forms.CharField(
        max_length=128, required=False, label=_("渠道名称"), help_text=_("例如：某某展销会")
    )
    sold_on = forms.DateField(label=_("销售日期"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.CharField(max_length=20, label=_("销售金额（元）"))
    note = forms.CharField(max_length=500, required=False, label=_("说明"))
    evidence = forms.FileField(label=_("证明材料（PDF、PNG或JPEG）"))
    evidence_2 = forms.FileField(required=False, label=_("更多证明材料"))

    def __init__(self, *args, user, corrects: OffPlatformSale | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.corrects = corrects
        self.fields["organisation"].queryset = recorder_organisations(user=user)
        products = Product.objects.filter(cooperative__isnull=False).select_related("cooperative")
        if corrects is not None:
            del self.fields["cooperative"]
            self.fields["organisation"].queryset = self.fields["organisation"].queryset.filter(
                pk=corrects.organisation_id
            )
            self.fields["amount"].help_text = _("更正后的金额；填0表示撤销这笔销售。")
            products = products.filter(cooperative_id=corrects.cooperative_id)
        for n in range(1, LINES + 1):
            self.fields[f"product_{n}"] = ProductChoiceField(
                queryset=products.order_by("cooperative__legal_name", "title"),
                required=n == 1,
                label=_("产品%(n)s") % {"n": n},
            )
            self.fields[f"quantity_{n}"] = forms.IntegerField(
                required=n == 1, min_value=1, label=_("数量%(n)s") % {"n": n}
            )

    def lines(self) -> list[tuple]:
        data = self.cleaned_data
        return [
            (data.get(f"product_{n}"), data.get(f"quantity_{n}"))
            for n in range(1, LINES + 1)
            if data.get(f"product_{n}") is not None
        ]

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "organisation": data["organisation"],
            "cooperative": data.get("cooperative")
            or (self.corrects.cooperative if self.corrects else None),
            "channel_kind": data["channel_kind"],
            "channel_name": data["channel_name"],
            "sold_on": data["sold_on"],
            "amount": data["amount"],
            "note": data["note"],
            "lines": self.lines(),
            "evidence": [f for f in (data.get("evidence"), data.get("evidence_2")) if f],
            "corrects": self.corrects,
        }


class RejectForm(forms.Form):
    reason = forms.CharField(
        max_length=500, label=_("拒绝原因"), widget=forms.Textarea({"rows": 2})
    )


SUPPLY_ROWS = 6


class SupplyForm(forms.Form):
    """Which of the cooperative's households supplied how much of each product of a sale:
    rows of household and quantity per sale line (`household_<line>_<n>`,
    `quantity_<line>_<n>`). The service checks the quantities and the households."""

    def __init__(self, *args, sale: OffPlatformSale, households, **kwargs):
        super().__init__(*args, **kwargs)
        self.sale_lines = list(sale.lines.all())
        self.rows = []
        for line in self.sale_lines:
            rows = []
            for n in range(1, SUPPLY_ROWS + 1):
                household = f"household_{line.pk}_{n}"
                quantity = f"quantity_{line.pk}_{n}"
                self.fields[household] = HouseholdChoiceField(
                    queryset=households,
                    required=False,
                    label=_("农户"),
                    error_messages={"invalid_choice": _("所选农户不是本合作社的农户。")},
                )
                self.fields[quantity] = forms.DecimalField(
                    required=False, max_digits=12, decimal_places=3, label=_("供货数量")
                )
                rows.append((self[household], self[quantity]))
            self.rows.append((line, rows))

    def clean(self):
        data = super().clean()
        for line in self.sale_lines:
            for n in range(1, SUPPLY_ROWS + 1):
                household = data.get(f"household_{line.pk}_{n}")
                quantity = data.get(f"quantity_{line.pk}_{n}")
                if (household is None) != (quantity is None):
                    raise forms.ValidationError(_("每一行请同时填写农户和供货数量。"))
        return data

    def supply(self) -> dict[int, list[tuple]]:
        data = self.cleaned_data
        return {
            line.pk: [
                (data[f"household_{line.pk}_{n}"], data[f"quantity_{line.pk}_{n}"])
                for n in range(1, SUPPLY_ROWS + 1)
                if data.get(f"household_{line.pk}_{n}") is not None
            ]
            for line in self.sale_lines
        }
