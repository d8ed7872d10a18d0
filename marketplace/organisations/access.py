"""Who may do what for which organisation. Every workspace view checks these on the
organisation it serves; a user outside the organisation gets 404, as if it did not exist."""

from dataclasses import dataclass

from django.http import Http404

from .models import Membership, Organisation


def membership_of(*, user, organisation: Organisation) -> Membership | None:
    """The user's approved membership of `organisation`, if any."""
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(
        organisation=organisation, user=user, state=Membership.State.APPROVED
    ).first()


def is_platform_admin(user) -> bool:
    return user.is_authenticated and user.is_superuser


@dataclass(frozen=True)
class Capabilities:
    """What a user may do for one organisation."""

    view: bool
    buy: bool
    approve: bool
    manage: bool  # decide join requests and set budgets


def capabilities(*, user, organisation: Organisation) -> Capabilities:
    """All four from one query: the workspace pages ask each of them."""
    membership = membership_of(user=user, organisation=organisation)
    role = membership.role if membership is not None else None
    platform_admin = is_platform_admin(user)
    return Capabilities(
        view=platform_admin or membership is not None,
        buy=role in Membership.BUYING_ROLES,
        approve=role in Membership.APPROVING_ROLES,
        # Organisation admins and platform admins.
        manage=platform_admin or role == Membership.Role.ADMIN,
    )


def can_view(*, user, organisation: Organisation) -> bool:
    return capabilities(user=user, organisation=organisation).view


def can_buy(*, user, organisation: Organisation) -> bool:
    return capabilities(user=user, organisation=organisation).buy


def can_approve(*, user, organisation: Organisation) -> bool:
    return capabilities(user=user, organisation=organisation).approve


def can_manage(*, user, organisation: Organisation) -> bool:
    """Organisation admins and platform admins decide join requests and set budgets."""
    return capabilities(user=user, organisation=organisation).manage


def organisations_for_buyer(user):
    return Organisation.objects.filter(
        memberships__user=user,
        memberships__state=Membership.State.APPROVED,
        memberships__role__in=Membership.BUYING_ROLES,
    ).order_by("name")


def organisation_for(*, user, pk: int) -> Organisation:
    """The organisation `pk` if the user may see it; 404 otherwise."""
    organisation = Organisation.objects.select_related("home_region").filter(pk=pk).first()
    if organisation is None or not can_view(user=user, organisation=organisation):
        raise Http404
    return organisation
