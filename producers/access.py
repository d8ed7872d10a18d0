"""Who may act for which county office or cooperative. Every producers view checks
these on the object it serves (object-level permission), not only the role."""

from django.contrib.auth.mixins import AccessMixin
from django.core.exceptions import PermissionDenied

from .models import Cooperative, CountyOfficer, Region


def officer_county(user) -> Region | None:
    """The county whose poverty alleviation office the user works in, if any."""
    if not user.is_authenticated:
        return None
    office = CountyOfficer.objects.select_related("county").filter(user=user).first()
    return office.county if office else None


def staff_cooperative(user) -> Cooperative | None:
    """The cooperative the user works for (cooperative staff are Oscar partner users)."""
    if not user.is_authenticated:
        return None
    return (
        Cooperative.objects.select_related("county", "village").filter(partner__users=user).first()
    )


class CountyOfficerRequiredMixin(AccessMixin):
    """Sets self.county; anonymous users go to login, others without an office get 403."""

    permission_required: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.county = officer_county(request.user)
        if self.county is None or not request.user.has_perms(self.permission_required):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class CooperativeStaffRequiredMixin(AccessMixin):
    """Sets self.cooperative; anonymous users go to login, others without one get 403."""

    permission_required: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.cooperative = staff_cooperative(request.user)
        if self.cooperative is None or not request.user.has_perms(self.permission_required):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)
