"""Reads for evaluator screens, exports and the API: scorecards with everything they
render, the facts behind a figure, and monthly volumes. Each runs a fixed number of
queries whatever the number of pairings or facts."""

from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404

from producers.models import Region

from .. import measures
from ..models import Agreement, EvaluationYear, PurchaseFact, Scorecard, ScorecardItem
from ..services.scoring import facts_for

# A pairing's side may be a province, a city, a county (or below, down to a village): its
# province is the region itself or one of its ancestors, at most four levels up.
_ANCESTORS = ("", "__parent", "__parent__parent", "__parent__parent__parent")
_ANCESTORS += ("__parent__parent__parent__parent",)

# A text search is at most this many terms; each must occur in one of these names.
MAX_SEARCH_TERMS = 8
_SEARCHED_NAMES = (
    "pairing__east_region__name",
    "pairing__east_region__name_en",
    "pairing__assisting_unit",
    "pairing__west_region__name",
    "pairing__west_region__name_en",
)


def evaluation_years() -> list[int]:
    """Years that have scorecards, newest first."""
    return list(Scorecard.objects.order_by("-year").values_list("year", flat=True).distinct())


def year_config(*, year: int) -> EvaluationYear:
    return EvaluationYear.objects.filter(year=year).first() or EvaluationYear(year=year)


def _in_province(side: str, province: Region) -> Q:
    """Pairings whose `side` ("east_region" or "west_region") is `province` or lies in it."""
    condition = Q()
    for ancestors in _ANCESTORS:
        condition |= Q(**{f"pairing__{side}{ancestors}": province})
    return condition


def scorecards_for_year(
    *,
    year: int,
    west_province: Region | None = None,
    east_province: Region | None = None,
    kind: str = "",
    grade: str = "",
    query: str = "",
) -> QuerySet[Scorecard]:
    """The year's scorecards in rank order, each with its pairing's regions and its items.

    Optional filters narrow them: the pairing's western province or eastern province (the
    region itself or a region in it), its kind (Pairing.Kind), the scorecard's grade, and
    `query`, whose whitespace-separated terms must each occur in the name of the helping
    side (eastern region or central unit) or of the western region. A filtered table keeps
    the ranks of the whole year."""
    scorecards = Scorecard.objects.filter(year=year)
    if west_province is not None:
        scorecards = scorecards.filter(_in_province("west_region", west_province))
    if east_province is not None:
        scorecards = scorecards.filter(_in_province("east_region", east_province))
    if kind:
        scorecards = scorecards.filter(pairing__kind=kind)
    if grade:
        scorecards = scorecards.filter(grade=grade)
    for term in query.split()[:MAX_SEARCH_TERMS]:
        matches = Q()
        for name in _SEARCHED_NAMES:
            matches |= Q(**{f"{name}__icontains": term})
        scorecards = scorecards.filter(matches)
    return (
        scorecards.select_related("pairing__east_region", "pairing__west_region")
        .prefetch_related(
            Prefetch(
                "items",
                queryset=ScorecardItem.objects.select_related("indicator").order_by(
                    "indicator__position", "indicator_id"
                ),
            )
        )
        .order_by("rank", "pairing_id")
    )


def provinces_by_code() -> list[Region]:
    """Every province, eastern and western, by code: what the year table's province filters
    offer. One small query (34 rows in China). Offering only the provinces of the year's
    pairings cost ten times as much at 1,608 pairings (up to five levels of regions to climb
    on either side), for a list that differs by a few provinces."""
    return list(Region.objects.filter(level=Region.Level.PROVINCE).order_by("code"))


def scorecard_get(*, year: int, pairing_id: int) -> Scorecard:
    return get_object_or_404(scorecards_for_year(year=year), pairing_id=pairing_id)


def scorecard_item_get(*, item_id: int) -> ScorecardItem:
    return get_object_or_404(
        ScorecardItem.objects.select_related(
            "indicator",
            "scorecard__pairing__east_region",
            "scorecard__pairing__west_region",
        ),
        pk=item_id,
    )


def scorecard_item_facts(*, item: ScorecardItem) -> QuerySet[PurchaseFact]:
    """The facts behind one figure, each with `weighted`: its amount as the indicator
    counts it. Their weighted amounts add up to the figure. A fact of an off-platform sale
    has no order: it comes with its sale record instead."""
    return (
        facts_for(indicator=item.indicator, pairing_id=item.scorecard.pairing_id)
        .annotate(weighted=measures.weighted_amount(item.indicator))
        .select_related(
            "order",
            "offplatform_sale",
            "product",
            "cooperative",
            "origin_county",
            "buyer_region",
            "organisation",
        )
        .order_by("occurred_at", "pk")
    )


def fact_get(*, fact_id: int) -> PurchaseFact:
    return get_object_or_404(
        PurchaseFact.objects.select_related(
            "order",
            "line",
            "payment_event__event_type",
            "product",
            "cooperative",
            "origin_county",
            "buyer_region",
            "organisation",
            "channel",
            "channel_region",
            "bought_pairing",
            "helped_pairing",
            "offplatform_sale__organisation",
        ).prefetch_related("order__lines", "offplatform_sale__lines__product"),
        pk=fact_id,
    )


def monthly_volume(*, pairing_id: int, year: int) -> list[dict]:
    """Counted amount bought per month (1–12) with the cumulative total and the
    agreement's target spread evenly, for the volume-against-target chart."""
    rows = dict(
        PurchaseFact.objects.filter(year=year, bought_pairing_id=pairing_id, counts=True)
        .order_by()
        .values_list("month")
        .annotate(total=Sum("amount"))
    )
    agreement = Agreement.objects.filter(pairing_id=pairing_id, year=year).first()
    target = agreement.target_bought if agreement else Decimal("0")
    months, running = [], Decimal("0")
    for month in range(1, 13):
        amount = rows.get(month) or Decimal("0")
        running += amount
        months.append(
            {
                "month": month,
                "amount": amount,
                "cumulative": running,
                "target_cumulative": (target * month / 12).quantize(Decimal("0.01")),
            }
        )
    return months
