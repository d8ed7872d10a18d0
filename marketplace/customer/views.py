from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from oscar.apps.customer import views
from oscar.apps.customer.signals import user_registered
from oscar.core.loading import get_class

from marketplace.order.selectors import cooperative_shipments, order_for_customer, order_lines
from marketplace.users.selectors import privacy_policy_current
from marketplace.users.services import MobileCodeRateLimited, mobile_code_send
from marketplace.users.sms import SmsUnavailable
from marketplace.users.workspaces import landing_url

from .forms import (
    MobileCodeForm,
    MobileRegistrationForm,
    RegistrationForm,
    RegistrationPasswordForm,
)
from .services import (
    customer_register,
    customer_register_mobile,
    registration_complete,
    registration_link_user,
)


class OrderDetailView(views.OrderDetailView):
    # Oscar shows one order-wide status; here each cooperative ships its own lines, so the
    # page shows every cooperative's shipment, read through selectors that prefetch.

    def get_object(self, queryset=None):
        order = order_for_customer(user=self.request.user, number=self.kwargs["order_number"])
        if order is None:
            raise Http404
        return order

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        lines = list(order_lines(order=self.object))
        context["lines"] = lines
        context["cooperative_shipments"] = cooperative_shipments(order=self.object, lines=lines)
        return context


# --- the address book: the same Chinese address form as checkout ---------------------------
ChineseUserAddressForm = get_class("checkout.forms", "UserAddressForm")


class AddressCreateView(views.AddressCreateView):
    # Oscar's form asks for a Western address (first name, street first, any country).
    form_class = ChineseUserAddressForm


class AddressUpdateView(views.AddressUpdateView):
    form_class = ChineseUserAddressForm


# --- registration: the same answer whether or not the address has an account ---------------


def _consent(request) -> dict:
    """The privacy policy the visitor just agreed to (the form's tick box), as shown."""
    return {"privacy_policy": privacy_policy_current(), "language": get_language() or ""}


def _registration_sent(request, email: str):
    return render(request, "customer/registration_sent.html", {"email": email})


class AccountRegistrationView(views.AccountRegistrationView):
    # Oscar creates the account and signs it in, or says the address is taken; here the
    # address gets an e-mail either way (customer_register) and the page says only that.
    form_class = RegistrationForm

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        customer_register(email=email, **_consent(self.request))
        return _registration_sent(self.request, email)


class AccountAuthView(views.AccountAuthView):
    registration_form_class = RegistrationForm

    def get_login_success_url(self, form):
        """A page asked for with ?next= (Oscar's form keeps only this site's), else the
        user's own workspace rather than the home page."""
        return form.cleaned_data["redirect_url"] or landing_url(user=self.request.user)

    def validate_registration_form(self):
        form = self.get_registration_form(bind_data=True)
        if form.is_valid():
            email = form.cleaned_data["email"]
            customer_register(email=email, **_consent(self.request))
            return _registration_sent(self.request, email)
        return self.render_to_response(self.get_context_data(registration_form=form))


@method_decorator([never_cache, sensitive_post_parameters()], name="dispatch")
class RegistrationConfirmView(View):
    """The link in the confirmation e-mail opens a page where the mailbox's owner sets the
    password; sending it activates the account and signs it in. Opening the link (GET)
    changes nothing, as mail scanners open links too; the link works for one password."""

    template_name = "customer/registration_set_password.html"

    def _invalid(self, request):
        return render(request, "customer/registration_invalid.html", status=404)

    def get(self, request, uidb64: str, token: str):
        user = registration_link_user(uidb64=uidb64, token=token)
        if user is None:
            return self._invalid(request)
        form = RegistrationPasswordForm(user=user)
        return render(request, self.template_name, {"form": form, "email": user.email})

    def post(self, request, uidb64: str, token: str):
        user = registration_link_user(uidb64=uidb64, token=token)
        if user is None:
            return self._invalid(request)
        form = RegistrationPasswordForm(request.POST, user=user)
        if not form.is_valid():
            return render(request, self.template_name, {"form": form, "email": user.email})
        user = registration_complete(
            uidb64=uidb64, token=token, password=form.cleaned_data["password1"]
        )
        if user is None:  # used by another request in the meantime
            return self._invalid(request)
        auth_login(request, user, backend="marketplace.users.backends.EmailBackend")
        user_registered.send_robust(sender=self, request=request, user=user)
        messages.success(request, _("密码已设置，欢迎来到东西！"))
        return redirect("customer:summary")


@method_decorator(
    [never_cache, sensitive_post_parameters("code", "password1", "password2")], name="dispatch"
)
class MobileRegistrationView(View):
    """Sign-up with a mobile number: "获取验证码" texts a code to the number (the page says
    the same whether or not the number has an account: that owner gets a notice instead);
    the code and a password then create the account and sign it in."""

    template_name = "customer/registration_mobile.html"

    def _render(self, request, form, **context):
        return render(request, self.template_name, {"form": form, **context})

    def get(self, request):
        if request.user.is_authenticated:
            return redirect("customer:summary")
        return self._render(request, MobileRegistrationForm())

    def post(self, request):
        if request.user.is_authenticated:
            return redirect("customer:summary")
        if "send_code" in request.POST:
            return self._send_code(request)
        form = MobileRegistrationForm(request.POST)
        if not form.is_valid():
            return self._render(request, form)
        user = customer_register_mobile(
            mobile=form.cleaned_data["mobile"],
            code=form.cleaned_data["code"],
            password=form.cleaned_data["password1"],
            **_consent(request),
        )
        if user is None:
            form.add_error("code", _("验证码不正确或已失效，请重新获取。"))
            return self._render(request, form)
        auth_login(request, user, backend="marketplace.users.backends.MobileBackend")
        user_registered.send_robust(sender=self, request=request, user=user)
        messages.success(request, _("注册成功，欢迎来到东西！"))
        return redirect(landing_url(user=user))

    def _send_code(self, request):
        code_form = MobileCodeForm(request.POST)
        form = MobileRegistrationForm(initial={"mobile": request.POST.get("mobile", "")})
        if not code_form.is_valid():
            return self._render(request, form, code_form=code_form)
        mobile = code_form.cleaned_data["mobile"]
        try:
            mobile_code_send(mobile=mobile)
        except MobileCodeRateLimited as limited:
            code_form.add_error(
                "mobile",
                _("发送过于频繁，请 %(seconds)s 秒后再试。") % {"seconds": limited.seconds},
            )
            return self._render(request, form, code_form=code_form)
        except SmsUnavailable:
            code_form.add_error("mobile", _("短信暂时无法发送，请稍后再试或使用邮箱注册。"))
            return self._render(request, form, code_form=code_form)
        form = MobileRegistrationForm(initial={"mobile": mobile})
        return self._render(request, form, code_sent_to=mobile)


class PrivacyPolicyView(View):
    """The privacy policy in effect, in the visitor's language where it is translated;
    linked from the sign-up forms. Written in the CMS (a snippet), else the default text."""

    def get(self, request):
        policy = privacy_policy_current()
        return render(request, "customer/privacy_policy.html", {"policy": policy})
