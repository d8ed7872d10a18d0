"""Rebuild purchase facts and scorecards from the store's payment events, and say what
differed. Locked years are compared but never written."""

from dataclasses import dataclass, field

from django.db import transaction

from producers.db import retry_on_serialization_failure

from ..attribution import Attribution
from ..models import EvaluationYear, Indicator, PurchaseFact, Scorecard
from .facts import fact_place, facts_for_event, payment_events
from .scoring import scorecards_refresh

FIELDS = PurchaseFact.COMPUTED_FIELDS


@dataclass
class RebuildReport:
    facts_checked: int = 0
    created: list[tuple] = field(default_factory=list)
    updated: list[tuple] = field(default_factory=list)  # (key, field, old, new)
    deleted: list[tuple] = field(default_factory=list)
    locked_differences: list[tuple] = field(default_factory=list)  # (key, what)
    scorecards_changed: list[tuple] = field(default_factory=list)  # (pairing id, year)

    @property
    def differences(self) -> int:
        return (
            len(self.created)
            + len({u[0] for u in self.updated})
            + len(self.deleted)
            + len(self.locked_differences)
            + len(self.scorecards_changed)
        )


def _diff(old: PurchaseFact, new: PurchaseFact) -> list[tuple[str, object, object]]:
    return [
        (name, getattr(old, name), getattr(new, name))
        for name in FIELDS
        if getattr(old, name) != getattr(new, name)
    ]


def _scorecard_snapshot(years) -> dict:
    snapshot = {}
    for card in Scorecard.objects.filter(year__in=years).prefetch_related("items"):
        items = {(i.indicator_id, i.value, i.target, i.score) for i in card.items.all()}
        snapshot[(card.pairing_id, card.year)] = (card.total, card.grade, card.rank, items)
    return snapshot


@retry_on_serialization_failure
def evaluation_rebuild(*, dry_run: bool = False) -> RebuildReport:
    report = RebuildReport()
    with transaction.atomic():
        list(EvaluationYear.objects.select_for_update().order_by("year"))
        attribution = Attribution.load()
        existing = {(f.payment_event_id, f.line_id): f for f in PurchaseFact.objects.all()}
        seen, to_create, to_update = set(), [], []
        for event in payment_events().iterator(chunk_size=500):
            for fact in facts_for_event(event=event, attribution=attribution):
                key = (fact.payment_event_id, fact.line_id)
                seen.add(key)
                report.facts_checked += 1
                old = existing.get(key)
                if old is None:
                    report.created.append(key)
                    to_create.append(fact)
                    continue
                if fact.natural_year <= old.year <= fact.year:
                    # Where a fact went depended on which years were locked when it was
                    # written; any placement the lock rules allow is kept.
                    fact_place(fact=fact, year=old.year)
                diffs = _diff(old, fact)
                if not diffs:
                    continue
                if attribution.is_locked(old.year):
                    report.locked_differences.extend((key, name) for name, *_ in diffs)
                    continue
                for name, before, after in diffs:
                    report.updated.append((key, name, before, after))
                    setattr(old, name, after)
                to_update.append(old)
        for key, old in existing.items():
            if key in seen:
                continue
            if attribution.is_locked(old.year):
                report.locked_differences.append((key, "no payment event line"))
            else:
                report.deleted.append(key)
                old.delete()
        PurchaseFact.objects.bulk_create(to_create, batch_size=1000)
        if to_update:
            PurchaseFact.objects.bulk_update(to_update, FIELDS, batch_size=1000)

        years = sorted(
            {
                *PurchaseFact.objects.values_list("year", flat=True).distinct(),
                *Indicator.objects.values_list("year", flat=True).distinct(),
                *Scorecard.objects.values_list("year", flat=True).distinct(),
            }
        )
        open_years = [y for y in years if not attribution.is_locked(y)]
        before = _scorecard_snapshot(open_years)
        for year in open_years:
            scorecards_refresh(year=year)
        after = _scorecard_snapshot(open_years)
        report.scorecards_changed = sorted(
            k for k in before.keys() | after.keys() if before.get(k) != after.get(k)
        )
        if dry_run:
            transaction.set_rollback(True)
    return report
