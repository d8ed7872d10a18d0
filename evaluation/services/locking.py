"""Locking an evaluation year: its scorecards are computed one last time and then never
change. Facts and refunds that arrive later become adjustments of the next open year."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from core.transactions import retry_on_serialization_failure

from ..models import EvaluationYear
from ..selectors.public import public_summary_compute, summary_freeze
from .errors import YearLocked
from .scoring import scorecards_refresh


@retry_on_serialization_failure
@transaction.atomic
def year_lock(*, year: int, evaluator) -> EvaluationYear:
    if not evaluator.has_perm("evaluation.lock_year"):
        raise PermissionDenied
    EvaluationYear.objects.get_or_create(year=year)
    # The same row lock the fact writer takes: no fact slips in between refresh and lock.
    config = EvaluationYear.objects.select_for_update().get(year=year)
    if config.is_locked:
        raise YearLocked(year)
    scorecards_refresh(year=year)
    # What the public page and API show of the year from now on: the ledger behind
    # "households reached" still moves with later refunds, the final figures do not.
    config.public_summary = summary_freeze(public_summary_compute(year=year))
    config.locked_at = timezone.now()
    config.locked_by = evaluator
    config.save(update_fields=["locked_at", "locked_by", "public_summary"])
    return config
