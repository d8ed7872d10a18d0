from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from producers.income.models import AppendOnlyModel, FollowUpAction

from .pairings import Pairing


class SlackFollowUp(AppendOnlyModel):
    """What was done about a pairing flagged for slack after exit (帮扶力度下降) in a
    year: who, when, what (visit, interview 约谈, assistance measure), and the next review,
    or that it is resolved. Append-only; the latest one of a pairing and year is its state."""

    pairing = models.ForeignKey(
        Pairing,
        on_delete=models.PROTECT,
        related_name="slack_follow_ups",
        verbose_name=_("结对关系"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    action = models.CharField(_("跟进方式"), max_length=12, choices=FollowUpAction.choices)
    note = models.TextField(_("跟进情况"))
    measure = models.CharField(_("帮扶措施"), max_length=200, blank=True)
    next_review_on = models.DateField(_("下次复核日期"), null=True, blank=True)
    closes = models.BooleanField(_("已整改，办结"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("跟进人"),
    )
    recorded_at = models.DateTimeField(_("跟进时间"))

    class Meta:
        verbose_name = _("帮扶力度下降跟进记录")
        verbose_name_plural = _("帮扶力度下降跟进记录")
        ordering = ("pairing", "year", "recorded_at", "id")
        # Not add_: evaluators hold no add/change/delete permission (they never change
        # transactions); recording a follow-up is a permission of its own.
        permissions = [("record_slack_follow_up", _("可记录帮扶力度下降跟进"))]
        indexes = [models.Index(fields=["year", "pairing", "recorded_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes=True) | models.Q(next_review_on__isnull=False),
                name="slack_followup_closes_or_has_next_review",
            )
        ]

    def __str__(self) -> str:
        return f"{self.pairing_id} · {self.year} · {self.get_action_display()}"
