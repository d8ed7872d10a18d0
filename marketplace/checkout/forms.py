import re

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from oscar.apps.address import forms as address_forms
from oscar.apps.checkout import forms as oscar_forms
from oscar.core.loading import get_model

Country = get_model("address", "Country")

MOBILE = re.compile(r"^1[3-9]\d{9}$")
POSTCODE = RegexValidator(r"^\d{6}$", _("邮政编码为 6 位数字。"))


class ChineseAddressFormMixin:
    # Oscar's forms are shaped for Western addresses; a Chinese one reads province, city,
    # district, street, a six-digit postcode and an 11-digit mobile number. They are kept
    # in Oscar's own columns: state, line4, line3, line1, postcode, phone_number.
    LABELS = {
        "last_name": _("收货人"),
        "state": _("省/自治区/直辖市"),
        "line4": _("市"),
        "line3": _("区/县"),
        "line1": _("详细地址（街道、门牌号）"),
        "postcode": _("邮政编码"),
        "phone_number": _("手机号码"),
        "notes": _("配送备注"),
    }

    def chinese_layout(self):
        for name in ("first_name", "line2"):
            self.fields.pop(name, None)
        for name, label in self.LABELS.items():
            self.fields[name].label = label
            self.fields[name].required = name != "notes"
        self.fields["postcode"].validators.append(POSTCODE)
        self.order_fields(list(self.LABELS))

    def clean_phone_number_field(self, field_name):
        number = super().clean_phone_number_field(field_name)
        national = str(getattr(number, "national_number", "") or "")
        country_code = getattr(number, "country_code", None)
        if field_name in self.errors or country_code != 86 or not MOBILE.match(national):
            # One message saying what to type, instead of Oscar's about number formats.
            self.errors.pop(field_name, None)
            self.add_error(field_name, _("请输入 11 位中国大陆手机号码。"))
        return number


class ShippingAddressForm(ChineseAddressFormMixin, oscar_forms.ShippingAddressForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.chinese_layout()

    class Meta(oscar_forms.ShippingAddressForm.Meta):
        pass


class UserAddressForm(ChineseAddressFormMixin, address_forms.UserAddressForm):
    """An address of the customer's address book, edited from checkout, laid out as the
    shipping address is (the store ships within mainland China only)."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        countries = Country._default_manager.filter(is_shipping_country=True)
        if len(countries) == 1:
            self.fields.pop("country", None)
            self.instance.country = countries[0]
        self.chinese_layout()

    class Meta(address_forms.UserAddressForm.Meta):
        pass
