"""Locking an evaluation year: its scorecards are computed one last time and then never
change. Facts and refunds that arrive later become adjustments of the next open year.
Every other figure of the year that is read from what still moves (the public summary,
the public site's figures, rankings and certificates, which read the store's payment
events and the income ledger) is stored as it stands, and read from there from then on."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from core.transactions import retry_on_serialization_failure

from ..models import EvaluationYear
from ..models.facts import LockedFigure
from ..selectors.public import public_summary_compute, summary_freeze
from ..selectors.purchases import locked_figures_compute
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
    # The public site's figures of the year (home, counties, rankings, certificates, the
    # public scorecard summary): rows, so that one certificate reads one row.
    LockedFigure.objects.filter(year=year).delete()  # nothing unlocks a year: none expected
    LockedFigure.objects.bulk_create(locked_figures_compute(year=year), batch_size=2000)
    config.locked_at = timezone.now()
    config.locked_by = evaluator
    config.save(update_fields=["locked_at", "locked_by", "public_summary"])
    return config
