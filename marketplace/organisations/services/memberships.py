"""Joining an organisation: a user asks, an organisation admin or a platform admin decides."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.transactions import retry_on_serialization_failure

from ..access import can_manage
from ..models import Membership, Organisation


class MembershipError(Exception):
    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


@retry_on_serialization_failure
def membership_request(*, user, organisation: Organisation, role: str) -> Membership:
    """The user asks to join `organisation` in `role`. A rejected request may be made again;
    a pending or approved membership is refused."""
    if role not in Membership.Role.values:
        raise MembershipError(_("请选择有效的角色。"))
    with transaction.atomic():
        membership = (
            Membership.objects.select_for_update()
            .filter(organisation=organisation, user=user)
            .first()
        )
        if membership is not None and membership.state == Membership.State.APPROVED:
            raise MembershipError(_("您已是该单位的成员。"))
        if membership is not None and membership.state == Membership.State.REQUESTED:
            raise MembershipError(_("您的加入申请正在等待审核。"))
        if membership is None:
            membership = Membership(organisation=organisation, user=user)
        membership.role = role
        membership.state = Membership.State.REQUESTED
        membership.requested_at = timezone.now()
        membership.decided_by = None
        membership.decided_at = None
        membership.save()
    return membership


@retry_on_serialization_failure
def membership_decide(*, membership: Membership, actor, approve: bool) -> Membership:
    """An organisation admin (of that organisation) or a platform admin approves or rejects
    a pending join request."""
    if not can_manage(user=actor, organisation=membership.organisation):
        raise PermissionDenied
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        if membership.state != Membership.State.REQUESTED:
            raise MembershipError(_("该申请已处理。"))
        membership.state = Membership.State.APPROVED if approve else Membership.State.REJECTED
        membership.decided_by = actor
        membership.decided_at = timezone.now()
        membership.save(update_fields=["state", "decided_by", "decided_at"])
    return membership
