"""Follow-ups of early warnings (预警跟进): what the county office did about a warning,
who, when, and when it reviews the household next. Append-only; the warning keeps its
state and next review date in step, so the overdue list is one indexed query."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from producers.access import officer_county

from ..models import EarlyWarning, FollowUpAction, WarningFollowUp

MAX_REVIEW_DAYS = 366


def follow_up_validate(
    *,
    action: str,
    note: str,
    next_review_on: datetime.date | None,
    closes: bool,
    today: datetime.date,
) -> dict:
    """The errors of a follow-up, by field (empty when it is fine). Shared with the
    evaluators' slack follow-ups, which take the same fields."""
    errors = {}
    if action not in FollowUpAction.values:
        errors["action"] = _("请选择跟进方式。")
    if not (note or "").strip():
        errors["note"] = _("请填写做了什么。")
    if closes and next_review_on is not None:
        errors["next_review_on"] = _("办结后不再复核：请不要填写下次复核日期，或不要勾选办结。")
    elif not closes and next_review_on is None:
        errors["next_review_on"] = _("请填写下次复核日期，或勾选“风险已消除，办结”。")
    elif next_review_on is not None and not (
        today < next_review_on <= today + datetime.timedelta(days=MAX_REVIEW_DAYS)
    ):
        errors["next_review_on"] = _("下次复核日期应在今天之后的一年之内。")
    return errors


@transaction.atomic
def warning_follow_up_record(
    *,
    warning: EarlyWarning,
    officer,
    action: str,
    note: str,
    measure: str = "",
    next_review_on: datetime.date | None = None,
    closes: bool = False,
) -> WarningFollowUp:
    """An officer of the warning's county records a follow-up. The warning moves to in
    progress with the new review date, or to closed when the risk is resolved."""
    if officer_county(officer) != warning.county:
        raise PermissionDenied
    warning = EarlyWarning.objects.select_for_update().get(pk=warning.pk)
    if warning.state not in EarlyWarning.UNRESOLVED:
        raise ValidationError(_("该预警已办结或已撤销，不能再添加跟进记录。"), code="resolved")
    today = timezone.localdate()
    errors = follow_up_validate(
        action=action, note=note, next_review_on=next_review_on, closes=closes, today=today
    )
    if errors:
        raise ValidationError(errors)
    follow_up = WarningFollowUp.objects.create(
        warning=warning,
        action=action,
        note=note.strip(),
        measure=(measure or "").strip()[:200],
        next_review_on=next_review_on,
        closes=closes,
        recorded_by=officer,
        recorded_at=timezone.now(),
    )
    warning.state = EarlyWarning.State.CLOSED if closes else EarlyWarning.State.IN_PROGRESS
    warning.next_review_on = None if closes else next_review_on
    warning.save(update_fields=["state", "next_review_on"])
    return follow_up
