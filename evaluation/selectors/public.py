"""Aggregates the public site may show: no buyer, order or household is identifiable."""

import hashlib
from decimal import Decimal

from django.core.cache import cache
from django.db.models import Count, Max, Q, Sum
from django.utils.translation import get_language
from oscar.core.loading import get_model

from producers.income.selectors import households_reached_and_driven

from ..models import EvaluationYear, Grade, PurchaseFact, Scorecard
from .county import income_minimums

Line = get_model("order", "Line")


# Longest a public summary is served unchanged: what changes no version below (facts
# corrected in place by a rebuild of a year without scorecards, ledger entries recorded
# after their facts) shows after this at the latest.
PUBLIC_SUMMARY_SECONDS = 300


def public_summary(*, year: int) -> dict:
    """The year's counted purchases in aggregate, how many pairings reached each grade and
    each pairing's row. Public and anonymous, and a scan of the year's facts (about a
    second at 1,000,000 facts): kept in the cache while the data is unchanged (a new
    fact, a scorecard recomputed, the year locked), three small queries then. A locked
    year's summary is the one stored when it was locked: refunds later move the income
    ledger, never a final year's public figures."""
    changes = _version(year)
    if changes[2] is not None:  # locked
        frozen = EvaluationYear.objects.filter(year=year).values_list("public_summary", flat=True)
        if frozen[0] is not None:
            return summary_thaw(frozen[0])
    version = hashlib.sha256(repr((year, get_language(), *changes)).encode()).hexdigest()
    key = f"public-summary:{version}"
    summary = cache.get(key)
    if summary is None:
        summary = _summary(year=year)
        cache.set(key, summary, PUBLIC_SUMMARY_SECONDS)
    return summary


def _version(year: int) -> tuple:
    return (
        PurchaseFact.objects.aggregate(last=Max("pk"))["last"],
        Scorecard.objects.filter(year=year).aggregate(last=Max("computed_at"))["last"],
        EvaluationYear.objects.filter(year=year).values_list("locked_at", flat=True).first(),
    )


def public_summary_compute(*, year: int) -> dict:
    """The summary from the facts and the ledger as they are now: what locking stores."""
    return _summary(year=year)


def _summary(*, year: int) -> dict:
    """The summary itself: nine queries.

    People and households driven are the year's, not a sum of the pairings' scorecard
    figures: the distinct households whose income from all the year's counted sales
    (whichever pairing, or none, they count for) reaches the year's income minimum, and
    their registered members (decision 0006). A household paid through two pairings counts
    once, with its income from both. Households reached counts any household whose net
    income from those sales is above zero: the figure shown before decision 0006, kept for
    the API's clients and for years locked before it, under its own name."""
    counted = PurchaseFact.objects.filter(year=year, counts=True).order_by()
    totals = counted.aggregate(
        total=Sum("amount", default=Decimal("0.00")),
        priority=Sum(
            "amount",
            filter=Q(origin_deep_poverty=True) | Q(origin_supervision_target=True),
            default=Decimal("0.00"),
        ),
        county_count=Count("origin_county", distinct=True),
        cooperative_count=Count("cooperative", distinct=True),
        order_count=Count("order", distinct=True, filter=Q(kind=PurchaseFact.Kind.SALE)),
    )
    grades = dict(
        Scorecard.objects.filter(year=year).order_by().values_list("grade").annotate(n=Count("pk"))
    )
    lines = Line.objects.filter(pk__in=counted.values("line_id"))
    config = EvaluationYear.objects.filter(year=year).first()
    minimum = income_minimums(years=[year])[year]
    reached, driven = households_reached_and_driven(order_lines=lines, minimum=minimum)
    return {
        "year": year,
        "is_final": bool(config and config.is_locked),
        "amount": totals["total"],
        "priority_amount": totals["priority"],
        "counties": totals["county_count"],
        "cooperatives": totals["cooperative_count"],
        "orders": totals["order_count"],
        "households_reached": reached,
        "income_minimum": minimum,
        "households_driven": driven.households,
        "people_driven": driven.people,
        "grades": [
            {"grade": grade.value, "label": str(grade.label), "pairings": grades.get(grade, 0)}
            for grade in Grade
        ],
        "pairings": _pairing_rows(year=year, counted=counted),
    }


# A summary as stored in EvaluationYear.public_summary: numbers only (amounts as strings);
# names and labels are read in the visitor's language when it is shown.
_AMOUNTS = ("amount", "priority_amount")
# Stored since decision 0006 reached the public summary: a year locked before has none of
# them, and shows them as None (its households reached stays what it was).
_DRIVEN = ("households_driven", "people_driven")


def summary_freeze(summary: dict) -> dict:
    """The summary's figures as JSON, for storing when the year is locked."""
    frozen = {key: summary[key] for key in ("year", "counties", "cooperatives", "orders")}
    frozen["households_reached"] = summary["households_reached"]
    frozen.update({key: summary[key] for key in _DRIVEN})
    frozen["income_minimum"] = str(summary["income_minimum"])
    frozen.update({key: str(summary[key]) for key in _AMOUNTS})
    frozen["grades"] = {row["grade"]: row["pairings"] for row in summary["grades"]}
    frozen["pairings"] = [
        [row["pairing_id"], str(row["bought"]), str(row["helped"]), row["grade_code"], row["rank"]]
        for row in summary["pairings"]
    ]
    return frozen


def summary_thaw(frozen: dict) -> dict:
    """A stored summary in the shape _summary() gives, final, names in today's language."""
    from ..models import Pairing

    ids = [row[0] for row in frozen["pairings"]]
    pairings = Pairing.objects.select_related("east_region", "west_region").in_bulk(ids)
    summary = {key: frozen[key] for key in ("year", "counties", "cooperatives", "orders")}
    summary.update(
        is_final=True,
        households_reached=frozen["households_reached"],
        **{key: Decimal(frozen[key]) for key in _AMOUNTS},
    )
    summary.update({key: frozen.get(key) for key in _DRIVEN})
    minimum = frozen.get("income_minimum")
    summary["income_minimum"] = Decimal(minimum) if minimum is not None else None
    summary["grades"] = [
        {"grade": g.value, "label": str(g.label), "pairings": frozen["grades"].get(g.value, 0)}
        for g in Grade
    ]
    summary["pairings"] = [
        {
            "pairing_id": pairing_id,
            "pairing": str(pairings[pairing_id]),
            "kind": pairings[pairing_id].get_kind_display(),
            "bought": Decimal(bought),
            "helped": Decimal(helped),
            "grade": str(Grade(grade).label),
            "grade_code": grade,
            "rank": rank,
        }
        for pairing_id, bought, helped, grade, rank in frozen["pairings"]
    ]
    return summary


def _pairing_rows(*, year: int, counted) -> list[dict]:
    """Per pairing with a scorecard: amounts bought and helped to sell, grade and rank."""
    bought = dict(
        counted.filter(bought_pairing__isnull=False)
        .values_list("bought_pairing")
        .annotate(total=Sum("amount"))
    )
    helped = dict(
        counted.filter(helped_pairing__isnull=False)
        .values_list("helped_pairing")
        .annotate(total=Sum("amount"))
    )
    cards = Scorecard.objects.filter(year=year).select_related(
        "pairing__east_region", "pairing__west_region"
    )
    zero = Decimal("0.00")
    return [
        {
            "pairing_id": card.pairing_id,
            "pairing": str(card.pairing),
            "kind": card.pairing.get_kind_display(),
            "bought": bought.get(card.pairing_id, zero),
            "helped": helped.get(card.pairing_id, zero),
            "grade": str(card.get_grade_display()),
            "grade_code": card.grade,
            "rank": card.rank,
        }
        for card in cards.order_by("rank", "pairing_id")
    ]
