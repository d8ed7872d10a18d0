"""Oscar's customer forms; registration never says whether an address already has an
account (the registration service mails the address's owner instead), and asks for no
password: the password is set on the page the e-mail's link opens, by the mailbox's owner."""

from django import forms
from django.contrib.auth.forms import SetPasswordMixin
from django.utils.translation import gettext_lazy as _
from oscar.apps.customer.forms import *  # noqa: F403
from oscar.apps.customer.forms import EmailAuthenticationForm as OscarEmailAuthenticationForm
from oscar.apps.customer.forms import EmailUserCreationForm as OscarEmailUserCreationForm
from oscar.apps.customer.utils import normalise_email
from oscar.core.compat import get_user_model

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


class RegistrationForm(OscarEmailUserCreationForm):
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
