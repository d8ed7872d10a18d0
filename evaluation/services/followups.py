"""Follow-ups of slack flags (摘帽不摘帮扶): what evaluators did about a pairing whose help
to exited counties fell, and when they look again. Append-only, audited."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from producers.income.services.followups import follow_up_validate
from producers.services.audit import audit_record

from ..models import Pairing, SlackFollowUp
from ..selectors.monitoring import slack_flags


@transaction.atomic
def slack_follow_up_record(
    *,
    evaluator,
    pairing: Pairing,
    year: int,
    action: str,
    note: str,
    measure: str = "",
    next_review_on: datetime.date | None = None,
    closes: bool = False,
    today: datetime.date | None = None,
) -> SlackFollowUp:
    """An evaluator records a follow-up of a pairing flagged for slack in `year` (or one
    already followed up that year). A closed one takes no more."""
    if not evaluator.has_perm("evaluation.record_slack_follow_up"):
        raise PermissionDenied
    today = today or timezone.localdate()
    previous = (
        SlackFollowUp.objects.select_for_update()
        .filter(pairing=pairing, year=year)
        .order_by("-recorded_at", "-id")
        .first()
    )
    if previous is not None and previous.closes:
        raise ValidationError(_("该结对本年度的跟进已办结。"), code="closed")
    if previous is None and not any(
        row["flagged"] and row["pairing"].pk == pairing.pk
        for row in slack_flags(year=year, today=today)
    ):
        message = _("该结对本年度未被标记为帮扶力度下降，无需跟进。")
        raise ValidationError(message, code="not_flagged")
    errors = follow_up_validate(
        action=action, note=note, next_review_on=next_review_on, closes=closes, today=today
    )
    if errors:
        raise ValidationError(errors)
    follow_up = SlackFollowUp.objects.create(
        pairing=pairing,
        year=year,
        action=action,
        note=note.strip(),
        measure=(measure or "").strip()[:200],
        next_review_on=next_review_on,
        closes=closes,
        recorded_by=evaluator,
        recorded_at=timezone.now(),
    )
    audit_record(
        actor=evaluator,
        action="slack.follow_up",
        target=pairing,
        year=year,
        follow_up=follow_up.pk,
        follow_up_action=action,
        closes=closes,
    )
    return follow_up
