"""Views of the public participation scheme that are not Wagtail pages."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View

from . import selectors
from .certificates import certificate_pdf
from .services import participation_update

FIRST_YEAR = 2015  # the campaign's first year of consumption poverty alleviation


class CertificateView(LoginRequiredMixin, View):
    """The signed-in buyer's thank-you certificate for a year. A member of an organisation
    gets the organisation's (with ?organisation=<id>, that one's, for its approved members
    only); anyone else, or a member asking with ?personal=1, their own purchases'."""

    def get(self, request, year: int):
        if not FIRST_YEAR <= year <= selectors.this_year():
            raise Http404
        organisation = None
        organisation_id = request.GET.get("organisation", "")
        if organisation_id:
            if not (organisation_id.isdecimal() and organisation_id.isascii()):
                raise Http404
            organisation = selectors.buyer_organisation(
                user=request.user, organisation_id=int(organisation_id)
            )
            if organisation is None:
                raise PermissionDenied
        elif request.GET.get("personal") != "1":
            organisation = selectors.certificate_organisation(user=request.user)
        certificate = selectors.buyer_certificate(
            user=request.user, year=year, organisation=organisation
        )
        response = HttpResponse(certificate_pdf(certificate), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="dongxi-thanks-{year}.pdf"'
        return response


class ParticipationUpdateView(LoginRequiredMixin, View):
    """The buyer's consent to the public ranking (and the nickname shown there)."""

    http_method_names = ["post"]

    def post(self, request):
        try:
            participation_update(
                user=request.user,
                show_in_ranking=request.POST.get("show_in_ranking") == "on",
                nickname=request.POST.get("nickname", ""),
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("已保存您的榜单设置。"))
        return HttpResponseRedirect(self._next(request))

    def _next(self, request) -> str:
        target = request.POST.get("next", "")
        if url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return target
        return reverse("wagtail_serve", args=[""])
