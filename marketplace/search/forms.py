"""The filters of the listing and search pages, read from GET parameters.

Choices are loaded once by the view (three queries, none while cached for the catalogue
version) and the form resolves values from them, so validating costs no query.
An invalid value drops only its own filter."""

import uuid
from dataclasses import dataclass, field

from django import forms
from django.core.cache import cache
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from marketplace.catalogue.caching import TIMEOUT, versioned_key
from producers.models import Region

from .selectors import (
    categories_for_browsing,
    counties_with_products_for_sale,
    east_regions_with_pairings,
)

MAX_QUERY_LENGTH = 100

# Oscar's SearchForm (the header's search box) is still loaded by its context processor
# through get_class("search.forms", "SearchForm"), which falls back to Oscar's module.


@dataclass
class FilterChoices:
    categories: list = field(default_factory=list)
    counties: list[Region] = field(default_factory=list)
    east_regions: list[Region] = field(default_factory=list)
    # Lists built from the choices for the form, by language and province (see the form).
    memo: dict = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def load(cls, *, version: str = "") -> "FilterChoices":
        """The choices, kept per catalogue version: finding the counties with products for
        sale reads every product for sale. The current version's choices also stay in the
        process, as unpickling some thousand regions on every request costs more than the
        rest of a cached page (the small `stamp` entry says the cached choices still stand)."""
        key = versioned_key("filter-choices", version)
        stamp = cache.get(f"{key}:stamp") if version else None
        if stamp is not None and _loaded.get(version, (None,))[0] == stamp:
            return _loaded[version][1]
        choices = cache.get(key) if version else None
        if choices is None:
            choices = cls(
                categories=categories_for_browsing(),
                counties=counties_with_products_for_sale(),
                east_regions=east_regions_with_pairings(),
            )
            if version:
                cache.set(key, choices, TIMEOUT)
        if version:
            stamp = cache.get(f"{key}:stamp") or uuid.uuid4().hex
            cache.set(f"{key}:stamp", stamp, TIMEOUT)
            _loaded.clear()
            _loaded[version] = (stamp, choices)
        return choices

    def county_choices(self, province: Region | None) -> list:
        """Counties grouped by province (only `province`'s when given), in this language."""
        key = ("counties", get_language(), province.pk if province else None)
        if key not in self.memo:
            by_province = {}
            for county in self.counties:
                if province is None or county.parent.parent_id == province.pk:
                    by_province.setdefault(county.parent.parent.display_name, []).append(
                        (county.code, county.display_name)
                    )
            self.memo[key] = list(by_province.items())
        return self.memo[key]

    @property
    def provinces(self) -> list[Region]:
        if "provinces" in self.memo:
            return self.memo["provinces"]
        seen = {}
        for county in self.counties:
            province = county.parent.parent
            seen.setdefault(province.pk, province)
        self.memo["provinces"] = sorted(seen.values(), key=lambda region: region.code)
        return self.memo["provinces"]


_loaded: dict[str, tuple[str, FilterChoices]] = {}


def _east_label(region: Region) -> str:
    if region.parent_id:
        return f"{region.parent.display_name} · {region.display_name}"
    return region.display_name


class ProductFilterForm(forms.Form):
    q = forms.CharField(label=_("关键词"), required=False)
    category = forms.TypedChoiceField(
        label=_("产品分类"), required=False, coerce=int, empty_value=None
    )
    province = forms.ChoiceField(label=_("省份"), required=False)
    county = forms.ChoiceField(label=_("县"), required=False)
    paired_with = forms.ChoiceField(
        label=_("结对帮扶地区"),
        required=False,
        help_text=_("选择东部省市，查看与其结对的西部地区的产品"),
    )
    featured = forms.BooleanField(label=_("挂牌督战县优先"), required=False)

    def __init__(self, data=None, *, choices: FilterChoices, **kwargs):
        super().__init__(data, **kwargs)
        self.choices = choices
        self._categories = {category.pk: category for category in choices.categories}
        self._provinces = {region.code: region for region in choices.provinces}
        self._counties = {region.code: region for region in choices.counties}
        self._east_regions = {region.code: region for region in choices.east_regions}

        everywhere = [("", _("全部"))]
        self.fields["category"].choices = everywhere + [
            (category.pk, category.name) for category in choices.categories
        ]
        self.fields["province"].choices = everywhere + [
            (region.code, region.display_name) for region in self._provinces.values()
        ]
        # With a province chosen, only its counties are offered (and accepted).
        province = self._provinces.get(self.data.get("province"))
        self.fields["county"].choices = everywhere + choices.county_choices(province)
        self.fields["paired_with"].choices = everywhere + [
            (region.code, _east_label(region)) for region in self._east_regions.values()
        ]

        for name in ("province", "county", "paired_with"):
            self.fields[name].widget.attrs["class"] = "custom-select custom-select-sm"
        self.fields["featured"].widget.attrs["class"] = "form-check-input"

    def filters(self) -> dict:
        """Keyword arguments for the listing selectors, from the valid fields only."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "category": self._categories.get(data.get("category")),
            "province": self._provinces.get(data.get("province")),
            "county": self._counties.get(data.get("county")),
            "paired_with": self._east_regions.get(data.get("paired_with")),
            "featured_first": bool(data.get("featured")),
        }

    def query(self) -> str:
        self.is_valid()
        return (self.cleaned_data.get("q") or "").strip()[:MAX_QUERY_LENGTH]
