"""Writes of the CMS layer (public participation only: pages are written in Wagtail)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .models import PublicParticipation

NICKNAME_MAX = 32


@transaction.atomic
def participation_update(*, user, show_in_ranking: bool, nickname: str) -> PublicParticipation:
    """A buyer agrees (or stops agreeing) to appear on the public ranking by nickname."""
    nickname = (nickname or "").strip()
    if len(nickname) > NICKNAME_MAX:
        raise ValidationError(_("昵称不能超过 32 个字。"))
    if show_in_ranking and not nickname:
        raise ValidationError(_("在榜单上显示前请先填写昵称。"))
    if nickname != user.nickname:
        user.nickname = nickname
        user.save(update_fields=["nickname"])
    participation, _created = PublicParticipation.objects.update_or_create(
        user=user, defaults={"show_in_ranking": show_in_ranking}
    )
    return participation
