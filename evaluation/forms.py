"""The filters of the evaluators' year table, read from GET parameters.

The provinces offered are loaded once by the view and the form resolves codes from them,
so validating costs no query. An invalid value drops only its own filter and says so."""

from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext_lazy as _

from producers.models import Region

from .models import Grade, Pairing

MAX_QUERY_LENGTH = 50
EVERY = [("", _("全部"))]


def _invalid(message: str) -> dict:
    return {"invalid_choice": message}


class PairingTableFilterForm(forms.Form):
    q = forms.CharField(
        label=_("结对名称"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        error_messages={
            "max_length": _("结对名称最多 %(limit_value)d 个字，当前 %(show_value)d 个字。")
        },
    )
    west_province = forms.ChoiceField(
        label=_("西部省份"),
        required=False,
        error_messages=_invalid(_("“%(value)s”不是西部省份，已忽略这一条件。")),
    )
    east_province = forms.ChoiceField(
        label=_("东部省份"),
        required=False,
        error_messages=_invalid(_("“%(value)s”不是东部省份，已忽略这一条件。")),
    )
    kind = forms.ChoiceField(
        label=_("结对类型"),
        required=False,
        choices=EVERY + Pairing.Kind.choices,
        error_messages=_invalid(_("“%(value)s”不是结对类型，已忽略这一条件。")),
    )
    grade = forms.ChoiceField(
        label=_("等次"),
        required=False,
        choices=EVERY + Grade.choices,
        error_messages=_invalid(_("“%(value)s”不是考核等次，已忽略这一条件。")),
    )
    page = forms.IntegerField(
        required=False,
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={
            "invalid": _("页码必须是正整数，已显示第 1 页。"),
            "min_value": _("页码必须是正整数，已显示第 1 页。"),
        },
    )

    FILTERS = ("q", "west_province", "east_province", "kind", "grade")

    def __init__(self, data=None, *, provinces: list[Region], **kwargs):
        super().__init__(data, **kwargs)
        self._provinces = {
            side: {region.code: region for region in provinces if region.side == side}
            for side in (Region.Side.WEST, Region.Side.EAST)
        }
        for name, side in (
            ("west_province", Region.Side.WEST),
            ("east_province", Region.Side.EAST),
        ):
            self.fields[name].choices = EVERY + [
                (code, region.display_name) for code, region in self._provinces[side].items()
            ]
        for name in ("west_province", "east_province", "kind", "grade"):
            self.fields[name].widget.attrs["class"] = "custom-select custom-select-sm"
        self.fields["q"].widget.attrs.update(
            {"class": "form-control form-control-sm", "placeholder": _("如：杭州、凉山")}
        )

    def _valid(self) -> dict:
        """The cleaned value of each field that is valid (an invalid one is left out)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}

    def filters(self) -> dict:
        """Keyword arguments for scorecards_for_year, from the valid fields only."""
        data = self._valid()
        return {
            "west_province": self._provinces[Region.Side.WEST].get(data.get("west_province")),
            "east_province": self._provinces[Region.Side.EAST].get(data.get("east_province")),
            "kind": data.get("kind", ""),
            "grade": data.get("grade", ""),
            "query": data.get("q", "").strip(),
        }

    def page_number(self) -> int:
        return self._valid().get("page") or 1

    def querystring(self) -> str:
        """The valid filters as a query string (no page): what page links carry."""
        data = self._valid()
        return urlencode([(name, data[name]) for name in self.FILTERS if name in data])

    def problems(self) -> list[str]:
        """What was wrong with the filters, one message per field, for the page to show."""
        self.is_valid()
        return [message for errors in self.errors.values() for message in errors]

    @property
    def is_filtered(self) -> bool:
        return any(name in self._valid() for name in self.FILTERS)
