"""我的个人信息: a signed-in person downloads a copy of their own data, and deletes their
account (anonymised by user_account_delete; orders and the money records stay)."""

import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from oscar.core.loading import get_model

from marketplace.organisations.models import Membership

from .account_deletion import AccountDeletionRefused, account_deletion_blocker, user_account_delete
from .selectors import user_data_export

Order = get_model("order", "Order")
UserAddress = get_model("address", "UserAddress")

# What a person without a password types to delete, in the page's language; the Chinese
# words are accepted under every language (the phrase a user may have been told).
CONFIRM_PHRASE = _("确认注销")
CONFIRM_PHRASE_SOURCE = "确认注销"


class AccountDeleteForm(forms.Form):
    """The person confirms with their password, or, for an account that has none (signed
    up with a mobile number), by typing the confirmation phrase."""

    password = forms.CharField(label=_("当前密码"), widget=forms.PasswordInput, required=False)
    phrase = forms.CharField(
        label=format_lazy(_("请输入“{phrase}”"), phrase=CONFIRM_PHRASE), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user.has_usable_password():
            del self.fields["phrase"]
            self.fields["password"].required = True
        else:
            del self.fields["password"]
            self.fields["phrase"].required = True

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("密码不正确。"))
        return password

    def clean_phrase(self):
        phrase = self.cleaned_data["phrase"].strip()
        accepted = {str(CONFIRM_PHRASE).casefold(), CONFIRM_PHRASE_SOURCE}
        if phrase.casefold() not in accepted:
            raise forms.ValidationError(
                format_lazy(_("请准确输入“{phrase}”。"), phrase=CONFIRM_PHRASE)
            )
        return phrase


class _AccountPage(LoginRequiredMixin):
    active_tab = "personal-data"

    def context(self, **extra) -> dict:
        return {"active_tab": self.active_tab, "page_title": _("我的个人信息"), **extra}


@method_decorator(never_cache, name="dispatch")
class PersonalDataView(_AccountPage, View):
    """What the store keeps about the person, the download, and the way to delete."""

    def get(self, request):
        user = request.user
        return render(
            request,
            "customer/personal_data.html",
            self.context(
                addresses=UserAddress.objects.filter(user=user).count(),
                orders=Order.objects.filter(user=user).count(),
                memberships=Membership.objects.filter(user=user).count(),
            ),
        )


@method_decorator(never_cache, name="dispatch")
class PersonalDataDownloadView(LoginRequiredMixin, View):
    """The signed-in person's own data as a JSON file (only theirs: read by request.user)."""

    def get(self, request):
        data = user_data_export(user=request.user)
        body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        day = timezone.localdate().strftime("%Y%m%d")
        response["Content-Disposition"] = f'attachment; filename="dongxi-my-data-{day}.json"'
        return response


@method_decorator([never_cache, sensitive_post_parameters()], name="dispatch")
class AccountDeleteView(_AccountPage, View):
    """Delete my account: refused with the reason while something is open; else the person
    confirms (password) and the account is anonymised, then signed out."""

    template_name = "customer/account_delete.html"

    def _render(self, request, form, status=200):
        return render(
            request,
            self.template_name,
            self.context(
                form=form,
                blocker=account_deletion_blocker(user=request.user),
                page_title=_("注销账户"),
            ),
            status=status,
        )

    def get(self, request):
        return self._render(request, AccountDeleteForm(user=request.user))

    def post(self, request):
        form = AccountDeleteForm(request.POST, user=request.user)
        if not form.is_valid():
            return self._render(request, form)
        try:
            user_account_delete(user=request.user)
        except AccountDeletionRefused as refused:
            messages.error(request, refused.message)
            return self._render(request, AccountDeleteForm(user=request.user))
        logout(request)
        messages.success(request, _("您的账户已注销，个人信息已删除或匿名化。感谢您参与消费帮扶！"))
        return redirect(settings.OSCAR_HOMEPAGE)
