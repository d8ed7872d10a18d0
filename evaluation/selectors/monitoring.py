"""What evaluators watch: slack after exit, the supervision-target counties, anomalies."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, F, Max, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from producers.models import Region

from ..models import Agreement, Pairing, PurchaseFact, SlackFollowUp

ZERO = Decimal("0.00")


def _decline_percent(last: Decimal, this: Decimal) -> Decimal | None:
    if not last or last <= 0:
        return None
    return ((last - this) * 100 / last).quantize(Decimal("0.1"))


def same_period(*, year: int, today: datetime.date | None = None) -> Q:
    """Facts of `year` and the year before up to the same day (1 January to today's month
    and day), while `year` is under way; whole years once it is over. Comparing part of
    this year with all of last year would raise a false alarm every spring."""
    today = today or timezone.localdate()
    if today.year != year:
        return Q()
    leap_day = (today.month, today.day) == (2, 29)
    last = today.replace(year=year - 1, day=28 if leap_day else today.day)
    return Q(year=year, occurred_at__date__lte=today) | Q(
        year=year - 1, occurred_at__date__lte=last
    )


def slack_flags(*, year: int, today: datetime.date | None = None) -> list[dict]:
    """Per pairing, purchases from counties that had exited before `year`, this year against
    the same period of last year (same_period); a decline (a fall, as a positive percentage)
    beyond EVALUATION_SLACK_DECLINE_PERCENT is flagged (摘帽不摘帮扶)."""
    limit = Decimal(str(settings.EVALUATION_SLACK_DECLINE_PERCENT))
    period = same_period(year=year, today=today)
    # Help is what the eastern side bought and what it helped to sell: each fact counts
    # for a pairing in one role at most (docs/decisions/0005), so the two add up.
    totals: dict[int, dict] = {}
    for role in ("bought_pairing", "helped_pairing"):
        for row in (
            PurchaseFact.objects.filter(
                period,
                counts=True,
                year__in=(year - 1, year),
                origin_exit_year__lt=year,
                **{f"{role}__isnull": False},
            )
            .order_by()
            .values(role)
            .annotate(
                this=Sum("amount", filter=Q(year=year), default=ZERO),
                last=Sum("amount", filter=Q(year=year - 1), default=ZERO),
            )
        ):
            total = totals.setdefault(row[role], {"this": ZERO, "last": ZERO})
            total["this"] += row["this"]
            total["last"] += row["last"]
    rows = [{"bought_pairing": pairing_id, **total} for pairing_id, total in totals.items()]
    pairings = Pairing.objects.select_related("east_region", "west_region").in_bulk(list(totals))
    result = []
    for row in rows:
        decline = _decline_percent(row["last"], row["this"])
        result.append(
            {
                "pairing": pairings[row["bought_pairing"]],
                "this_year": row["this"],
                "last_year": row["last"],
                "decline_percent": decline,
                "flagged": decline is not None and decline > limit,
            }
        )
    return sorted(result, key=lambda r: (not r["flagged"], -(r["decline_percent"] or 0)))


def supervision_targets(*, year: int, today: datetime.date | None = None) -> list[dict]:
    """Deep-poverty and supervision-target counties: purchases this year against the same
    period of last year (same_period), the fall as `decline_percent` (positive when
    purchases fell, negative when they grew: the slack table's convention), and their
    pairings' amount bought against target; weakest (largest fall, least bought) first."""
    counties = list(
        Region.objects.filter(level=Region.Level.COUNTY)
        .filter(Q(is_deep_poverty=True) | Q(is_supervision_target=True))
        .select_related("parent__parent")
    )
    amounts = {
        row["origin_county"]: row
        for row in PurchaseFact.objects.filter(
            same_period(year=year, today=today),
            counts=True,
            year__in=(year - 1, year),
            origin_county__in=counties,
        )
        .order_by()
        .values("origin_county")
        .annotate(
            this=Sum("amount", filter=Q(year=year), default=ZERO),
            last=Sum("amount", filter=Q(year=year - 1), default=ZERO),
        )
    }
    pairings = [p for p in Pairing.objects.select_related("west_region") if p.is_active_in(year)]
    targets = {a.pairing_id: a.target_bought for a in Agreement.objects.filter(year=year)}
    bought = dict(
        PurchaseFact.objects.filter(counts=True, year=year, bought_pairing__isnull=False)
        .order_by()
        .values_list("bought_pairing")
        .annotate(total=Sum("amount"))
    )
    result = []
    for county in counties:
        chain = {county.pk, county.parent_id, county.parent.parent_id if county.parent else None}
        mine = [p for p in pairings if p.west_region_id in chain]
        row = amounts.get(county.pk, {})
        this, last = row.get("this", ZERO), row.get("last", ZERO)
        result.append(
            {
                "county": county,
                "this_year": this,
                "last_year": last,
                "decline_percent": _decline_percent(last, this),
                "pairings": [
                    {
                        "pairing": p,
                        "bought": bought.get(p.pk, ZERO),
                        "target": targets.get(p.pk),
                    }
                    for p in mine
                ],
            }
        )
    return sorted(
        result,
        key=lambda r: (
            -(r["decline_percent"] if r["decline_percent"] is not None else Decimal("-1000")),
            r["this_year"],
        ),
    )


def slack_follow_ups_latest(*, year: int) -> dict[int, SlackFollowUp]:
    """Pairing id -> its latest slack follow-up of `year` (one query; a year has a few)."""
    latest: dict[int, SlackFollowUp] = {}
    for follow_up in (
        SlackFollowUp.objects.filter(year=year)
        .select_related("recorded_by")
        .order_by("recorded_at", "id")
    ):
        latest[follow_up.pairing_id] = follow_up
    return latest


def slack_reviews_overdue(*, today: datetime.date | None = None) -> list[SlackFollowUp]:
    """The latest follow-up of each pairing and year, where it is not closed and its
    review date has passed: the slack flags whose review is overdue, oldest first."""
    today = today or timezone.localdate()
    latest = SlackFollowUp.objects.filter(
        pk=Subquery(
            SlackFollowUp.objects.filter(pairing=OuterRef("pairing"), year=OuterRef("year"))
            .order_by("-recorded_at", "-id")
            .values("pk")[:1]
        )
    )
    return list(
        latest.filter(closes=False, next_review_on__lt=today)
        .select_related("pairing__east_region", "pairing__west_region", "recorded_by")
        .order_by("next_review_on", "pairing_id", "year")
    )


def slack_follow_ups(*, pairing: Pairing, year: int) -> list[SlackFollowUp]:
    return list(
        SlackFollowUp.objects.filter(pairing=pairing, year=year)
        .select_related("recorded_by")
        .order_by("recorded_at", "id")
    )


def anomalies(*, year: int) -> dict[str, list]:
    """Facts an evaluator should look at: purchases by the selling cooperative's own staff,
    refunds that arrived after their year was locked, and single orders far above their
    pairing's usual size in the last month of the year."""
    facts = PurchaseFact.objects.filter(year=year).select_related(
        "order", "cooperative", "bought_pairing"
    )
    own = facts.filter(
        kind=PurchaseFact.Kind.SALE, order__user__partners__cooperative=F("cooperative")
    ).distinct()
    after_lock = facts.filter(kind=PurchaseFact.Kind.REFUND).exclude(natural_year=F("year"))
    return {
        "own_cooperative": list(own),
        "refunds_after_lock": list(after_lock),
        "large_orders": large_orders_near_year_end(year=year),
    }


def large_orders_near_year_end(*, year: int) -> list[dict]:
    factor = Decimal(str(settings.EVALUATION_LARGE_ORDER_FACTOR))
    counted = PurchaseFact.objects.filter(
        year=year, counts=True, kind=PurchaseFact.Kind.SALE, bought_pairing__isnull=False
    ).order_by()
    usual = {
        row["bought_pairing"]: row["total"] / row["orders"]
        for row in counted.values("bought_pairing").annotate(
            total=Sum("amount"), orders=Count("order", distinct=True)
        )
        if row["orders"]
    }
    december = (
        counted.filter(month=12)
        .values("bought_pairing", "order", "order__number")
        .annotate(total=Sum("amount"), sold_at=Max("sold_at"))
    )
    pairings = Pairing.objects.select_related("east_region", "west_region").in_bulk(list(usual))
    flagged = [
        {
            "pairing": pairings[row["bought_pairing"]],
            "order_number": row["order__number"],
            "total": row["total"],
            "usual": usual[row["bought_pairing"]].quantize(Decimal("0.01")),
            "sold_at": row["sold_at"],
        }
        for row in december
        if row["total"] > factor * usual[row["bought_pairing"]]
    ]
    return sorted(flagged, key=lambda r: -r["total"])
