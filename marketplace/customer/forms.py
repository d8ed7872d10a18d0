"""Oscar's customer forms; registration never says whether an address already has an
account (the registration service mails the address's owner instead), and asks for no
password: the password is set on the page the e-mail's link opens, by the mailbox's owner."""

from django import forms
from django.contrib.auth.forms import SetPasswordMixin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from oscar.apps.customer.forms import *  # noqa: F403
from oscar.apps.customer.forms import EmailAuthenticationForm as OscarEmailAuthenticationForm
from oscar.apps.customer.forms import EmailUserCreationForm as OscarEmailUserCreationForm
from oscar.apps.customer.utils import normalise_email
from oscar.core.compat import get_user_model

from marketplace.users.mobile import mobile_normalise

User = get_user_model()


class EmailAuthenticationForm(OscarEmailAuthenticationForm):
    """The login form: one box for a mobile number or an e-mail address (the backends in
    AUTHENTICATION_BACKENDS tell which), then the password."""

    username = forms.CharField(
        label=_("手机号或邮箱"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    error_messages = {
        **OscarEmailAuthenticationForm.error_messages,
        "invalid_login": _("手机号、邮箱或密码不正确。"),
    }


class PrivacyConsentMixin(forms.Form):
    """A tick box agreeing to the privacy policy, linked from its label (PIPL: consent
    before personal data is collected; the view records which version was agreed to)."""

    consent = forms.BooleanField(
        required=True,
        error_messages={"required": _("请阅读并同意隐私政策后再注册。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent"].label = format_html(
            '{} <a href="{}" target="_blank" rel="noopener" id="privacy-policy-link">{}</a>',
            _("我已阅读并同意"),
            reverse("customer:privacy-policy"),
            _("《隐私政策》"),
        )
        self.order_fields([name for name in self.fields if name != "consent"] + ["consent"])


class RegistrationForm(PrivacyConsentMixin, OscarEmailUserCreationForm):
    """The customer registration form (only the address). Oscar's EmailUserCreationForm
    itself stays as it is: the dashboard's partner-user form builds on it with passwords."""

    # A password typed here would be typed before the mailbox is proven: whoever registers
    # somebody else's address first must not choose the account's password.
    password1 = None
    password2 = None

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])

    def validate_unique(self):
        # The unique e-mail is the service's to handle, without telling the visitor.
        pass


class RegistrationPasswordForm(SetPasswordMixin, forms.Form):
    """The password of a new account, chosen on the page its confirmation link opens; the
    site's password rules apply (AUTH_PASSWORD_VALIDATORS)."""

    password1, password2 = SetPasswordMixin.create_password_fields(
        label1=_("设置密码"), label2=_("再次输入密码")
    )
    error_messages = {"password_mismatch": _("两次输入的密码不一致。")}

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        self.validate_passwords()
        self.validate_password_for_user(self.user)
        return super().clean()


def _mobile_field():
    return forms.CharField(
        label=_("手机号"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )


def _clean_mobile(value: str) -> str:
    number = mobile_normalise(value)
    if not number:
        raise forms.ValidationError(_("请输入11位中国大陆手机号码。"), code="mobile")
    return number


class MobileCodeForm(forms.Form):
    """The number a sign-up code is to be texted to."""

    mobile = _mobile_field()

    def clean_mobile(self):
        return _clean_mobile(self.cleaned_data["mobile"])


class MobileRegistrationForm(PrivacyConsentMixin, SetPasswordMixin, forms.Form):
    """Sign-up with a mobile number: the number, the code texted to it, the password."""

    mobile = _mobile_field()
    code = forms.CharField(
        label=_("短信验证码"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    password1, password2 = SetPasswordMixin.create_password_fields(
        label1=_("设置密码"), label2=_("再次输入密码")
    )
    error_messages = {"password_mismatch": _("两次输入的密码不一致。")}

    def clean_mobile(self):
        return _clean_mobile(self.cleaned_data["mobile"])

    def clean(self):
        self.validate_passwords()
        if self.cleaned_data.get("mobile"):
            self.validate_password_for_user(User(mobile=self.cleaned_data["mobile"]))
        return super().clean()
