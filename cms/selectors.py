"""Everything the public pages show, read from the layers below. Pages call these once per
request; each returns plain data with a constant number of queries whatever its size.

Settled purchases are order lines of paid orders (an Oscar PaymentEvent of kind PAID),
less what was refunded of them (kind REFUND), each valued at the money its payment events
carry for the line (`PaymentEventQuantity.amount`, after discounts; a refund made in
Stripe's dashboard names its lines too, with no units: see marketplace/payment/events.py).
Never prices recomputed.

What a buyer bought (rankings and thank-you certificates) is the same money: its orders'
lines paid less refunded, so that a certificate, a ranking, the statement and the
evaluation's facts agree to the fen (shipping is not a purchase of produce).

A locked evaluation year is frozen here too (invariant 7): its figures are the ones its
lock stored (evaluation's LockedFigure, computed by the same selectors), so that a refund
after the lock changes no home or county figure, ranking, certificate or public summary
row of that year."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from oscar.core.loading import get_model

from core.money import to_yuan
from evaluation.models import Pairing
from evaluation.models.facts import LockedFigure
from evaluation.selectors.purchases import (
    ZERO,
    PairingPurchases,
    adjusted,
    adjustments,
    locked_figures,
    locked_ranking,
    paid_net,
    pairing_purchases_live,
    settled_events,
    settled_lines,
    year_locks,
)
from evaluation.selectors.purchases import lines_total as _total
from marketplace.catalogue.selectors import certificate_in_force, products_for_storefront
from marketplace.payment.events import PAID, REFUND
from producers.income.selectors import households_reached
from producers.models import Cooperative, Region

Line = get_model("order", "Line")
Order = get_model("order", "Order")
PaymentEventQuantity = get_model("order", "PaymentEventQuantity")

Scope = LockedFigure.Scope


def this_year() -> int:
    return timezone.localdate().year


# --- Settled purchases ------------------------------------------------------------------
# Settled lines and their sums are evaluation.selectors.purchases': a locked year's
# figures are the ones its lock stored with them (LockedFigure), read in one query.


@dataclass(frozen=True)
class Figures:
    amount: Decimal
    households: int


def headline_figures(*, year: int) -> Figures:
    """The home page's figures: amount bought in the year and households it reached (as
    locked, for a locked year)."""
    locks = year_locks(year=year)
    locked = locked_figures(year=year, locks=locks)
    if locked is not None:
        row = locked[Scope.YEAR][0]
        return Figures(amount=row.amount, households=row.households)
    lines = settled_lines(year=year)
    return Figures(
        amount=adjusted(_total(lines), adjustments(year=year, locks=locks)),
        households=households_reached(order_lines=lines),
    )


def county_figures(*, county: Region, year: int) -> Figures:
    locks = year_locks(year=year)
    locked = locked_figures(year=year, scopes={Scope.COUNTY: Q(county=county)}, locks=locks)
    if locked is not None:
        row = next(iter(locked[Scope.COUNTY]), None)
        return Figures(amount=row.amount, households=row.households) if row else Figures(ZERO, 0)
    lines = settled_lines(year=year).filter(cooperative__county=county)
    return Figures(
        amount=adjusted(
            _total(lines),
            adjustments(year=year, locks=locks).filter(line__cooperative__county=county),
        ),
        households=households_reached(order_lines=lines),
    )


# --- Live products and counties ---------------------------------------------------------


@dataclass(frozen=True)
class LiveProduct:
    """A product as a public page shows it: only ever built for a product that can be
    bought now (certified, valid certificate, in stock)."""

    product: object
    price: Decimal
    num_available: int
    certificate_number: str
    certificate_valid_to: datetime.date
    image_url: str
    county: Region
    cooperative: Cooperative

    @property
    def url(self) -> str:
        return self.product.get_absolute_url()

    @property
    def title(self) -> str:
        return self.product.get_title()


def _live(products, *, strategy, on: datetime.date) -> list[LiveProduct]:
    live = []
    for product in products:
        info = strategy.fetch_for_product(product)
        if not info.availability.is_available_to_buy or info.price.incl_tax is None:
            continue
        certificate = certificate_in_force(product=product, on=on)
        if certificate is None:
            continue
        image = next(iter(product.images.all()), None)
        live.append(
            LiveProduct(
                product=product,
                price=to_yuan(info.price.incl_tax),
                num_available=info.stockrecord.net_stock_level if info.stockrecord else 0,
                certificate_number=certificate.number,
                certificate_valid_to=certificate.valid_to,
                image_url=image.original.url if image and image.original else "",
                county=product.cooperative.county,
                cooperative=product.cooperative,
            )
        )
    return live


def live_products(*, ids, strategy, on: datetime.date | None = None) -> dict[int, LiveProduct]:
    """Buyable products among `ids`, by id. Uncertified, expired and sold-out products are
    left out, so a page can never offer them."""
    on = on or timezone.localdate()
    ids = {int(pk) for pk in ids if str(pk).isdecimal() and str(pk).isascii()}
    if not ids:
        return {}
    products = products_for_storefront(on=on).filter(pk__in=ids)
    return {item.product.pk: item for item in _live(products, strategy=strategy, on=on)}


def county_live_products(
    *,
    strategy,
    counties=None,
    cooperative=None,
    limit: int = 12,
    on: datetime.date | None = None,
) -> list[LiveProduct]:
    """Buyable products of these counties (or of one cooperative), newest first, at most
    `limit`."""
    on = on or timezone.localdate()
    products = products_for_storefront(on=on).order_by("-date_created", "-pk")
    if counties is not None:
        products = products.filter(cooperative__county__in=counties)
    if cooperative is not None:
        products = products.filter(cooperative=cooperative)
    # Sold-out products are filtered after the query: fetch a margin so a few sold-out
    # ones do not empty the block.
    return _live(products[: limit * 3], strategy=strategy, on=on)[:limit]


@dataclass(frozen=True)
class CountyCard:
    county: Region
    province: Region | None
    cooperatives: int
    products_for_sale: int


def county_cards(*, ids, on: datetime.date | None = None) -> dict[int, CountyCard]:
    """Featured counties with their province and live counts of certified cooperatives
    and products for sale, in three queries."""
    ids = {int(pk) for pk in ids if str(pk).isdecimal() and str(pk).isascii()}
    if not ids:
        return {}
    counties = Region.objects.filter(pk__in=ids, level=Region.Level.COUNTY).select_related(
        "parent__parent"
    )
    cooperatives = defaultdict(int)
    for county_id in Cooperative.objects.filter(
        county_id__in=ids, state=Cooperative.State.CERTIFIED
    ).values_list("county_id", flat=True):
        cooperatives[county_id] += 1
    products = defaultdict(int)
    for county_id in (
        products_for_storefront(on=on)
        .filter(cooperative__county_id__in=ids)
        .values_list("cooperative__county_id", flat=True)
    ):
        products[county_id] += 1
    return {
        county.pk: CountyCard(
            county=county,
            province=county.parent.parent if county.parent_id else None,
            cooperatives=cooperatives[county.pk],
            products_for_sale=products[county.pk],
        )
        for county in counties
    }


def county_cooperatives(*, county: Region) -> list[Cooperative]:
    """The county's certified cooperatives with their village."""
    return list(
        Cooperative.objects.filter(county=county, state=Cooperative.State.CERTIFIED)
        .select_related("village")
        .order_by("legal_name")
    )


# --- Campaign zones ---------------------------------------------------------------------


def _chain_ids(region: Region | None) -> set[int]:
    ids = set()
    while region is not None:
        ids.add(region.pk)
        region = region.parent
    return ids


def channel_paired_counties(*, channel) -> list[Region]:
    """Western counties paired with a campaign zone's eastern partner: its region, or its
    organisation's home region, and the regions above it."""
    region = channel.region
    if region is None and channel.organisation_id:
        region = channel.organisation.home_region
    if region is None:
        return []
    east_ids = _chain_ids(region)
    west_ids = Pairing.objects.filter(
        kind=Pairing.Kind.EAST_WEST, east_region_id__in=east_ids
    ).values("west_region_id")
    return list(
        Region.objects.filter(level=Region.Level.COUNTY)
        .filter(Q(pk__in=west_ids) | Q(parent_id__in=west_ids) | Q(parent__parent_id__in=west_ids))
        .select_related("parent__parent")
        .order_by("code")
    )


# --- Social participation ---------------------------------------------------------------


@dataclass(frozen=True)
class RankingRow:
    rank: int
    name: str
    amount: Decimal


def organisation_ranking(*, year: int, limit: int = 50) -> list[RankingRow]:
    """Buyer organisations by what their orders (placed by any of their buyers and
    approvers) paid in a year, net of refunds, largest first (as locked, for a locked
    year; names as they are now)."""
    locks = year_locks(year=year)
    if locked_figures(year=year, locks=locks) is not None:
        rows = locked_ranking(
            year=year,
            scope=Scope.ORGANISATION,
            condition=Q(),
            name="organisation__name",
            limit=limit,
        )
        return _ranked((row.organisation.name, row.amount) for row in rows)
    return _ranked(
        _live_ranking(
            year=year,
            condition=Q(event__order__organisation__isnull=False),
            buyer="event__order__organisation",
            name="name",
            limit=limit,
            locks=locks,
        )
    )


def individual_ranking(*, year: int, limit: int = 50) -> list[RankingRow]:
    """Individuals who opted in, by nickname, by what their own orders (not their
    organisation's) paid in a year, net of refunds (as locked, for a locked year; who
    consents, and by which nickname, as it is now)."""
    locks = year_locks(year=year)
    if locked_figures(year=year, locks=locks) is not None:
        rows = locked_ranking(
            year=year,
            scope=Scope.PERSON,
            condition=Q(user__public_participation__show_in_ranking=True) & ~Q(user__nickname=""),
            name="user__nickname",
            limit=limit,
        )
        return _ranked((row.user.nickname, row.amount) for row in rows)
    return _ranked(
        _live_ranking(
            year=year,
            condition=Q(
                event__order__organisation__isnull=True,
                event__order__user__public_participation__show_in_ranking=True,
            )
            & ~Q(event__order__user__nickname=""),
            buyer="event__order__user",
            name="nickname",
            limit=limit,
            locks=locks,
        )
    )


def _live_ranking(*, year: int, condition: Q, buyer: str, name: str, limit: int, locks: dict):
    """(name, amount) of the buyers meeting `condition` by what their orders of an open
    year paid net of refunds, largest first, with the adjustments the year takes from
    locked years before it (adjustments()). Two queries."""
    group = (f"{buyer}_id", f"{buyer}__{name}")
    rows = (
        settled_events(year=year)
        .filter(condition)
        .values(*group)
        .annotate(amount=paid_net())
        .order_by("-amount", group[1])
    )
    moved = adjustments(year=year, locks=locks).filter(condition)
    if moved.query.is_empty():
        return ((row[group[1]], row["amount"]) for row in rows[:limit])
    found = {}
    for row in [*rows, *moved.values(*group).annotate(amount=paid_net())]:
        pair = found.setdefault(row[group[0]], [row[group[1]], ZERO])
        pair[1] += row["amount"] or ZERO
    ranked = sorted(found.values(), key=lambda pair: (-pair[1], pair[0]))
    return ((label, amount) for label, amount in ranked[:limit])


def _ranked(rows) -> list[RankingRow]:
    ranked = []
    for name, amount in rows:
        amount = to_yuan(amount or ZERO)
        if amount > 0:
            ranked.append(RankingRow(rank=len(ranked) + 1, name=name, amount=amount))
    return ranked


@dataclass(frozen=True)
class Certificate:
    buyer_name: str
    year: int
    amount: Decimal
    counties: list[Region] = field(default_factory=list)
    households: int = 0


def buyer_certificate(*, user, year: int, organisation=None) -> Certificate:
    """What a thank-you certificate says for a year: with `organisation`, the
    organisation's orders (placed by any of its buyers and approvers); without, the
    person's own orders (not those placed for an organisation). The amount is what those
    orders paid for their lines net of refunds; the counties are where the lines still
    bought came from, and the households those lines reached. A locked year's are the
    ones its lock stored: refunds after it change no certificate of that year."""
    if organisation is not None:
        name = organisation.name
        mine = {"organisation": organisation}
    else:
        name = user.nickname or str(user)
        mine = {"user": user}
    scope = Scope.ORGANISATION if organisation is not None else Scope.PERSON
    locks = year_locks(year=year)
    locked = locked_figures(year=year, scopes={scope: Q(**mine)}, locks=locks)
    if locked is not None:
        row = next(iter(locked[scope]), None)
        if row is None:
            return Certificate(buyer_name=name, year=year, amount=ZERO)
        amount, county_ids, households = row.amount, set(row.counties), row.households
    else:
        orders = Order.objects.filter(date_placed__year=year)
        if organisation is not None:
            orders = orders.filter(organisation=organisation)
        else:
            orders = orders.filter(user=user, organisation__isnull=True)
        amount = PaymentEventQuantity.objects.filter(
            event__order__in=orders.values("pk"), event__event_type__code__in=(PAID, REFUND)
        ).aggregate(amount=paid_net())["amount"]
        if organisation is not None:
            moved = adjustments(year=year, locks=locks).filter(
                event__order__organisation=organisation
            )
        else:
            moved = adjustments(year=year, locks=locks).filter(
                event__order__user=user, event__order__organisation__isnull=True
            )
        amount = adjusted(amount or ZERO, moved)
        lines = settled_lines().filter(order__in=orders.values("pk"))
        county_ids = set(
            lines.filter(settled_quantity__gt=0)
            .order_by()
            .values_list("cooperative__county_id", flat=True)
        )
        households = households_reached(order_lines=lines)
    counties = list(
        Region.objects.filter(pk__in=county_ids - {None})
        .select_related("parent__parent")
        .order_by("code")
    )
    return Certificate(
        buyer_name=name,
        year=year,
        amount=to_yuan(amount or ZERO),
        counties=counties,
        households=households,
    )


def member_organisations(*, user) -> list:
    """The organisations `user` is an approved member of (their buyers and approvers buy
    for them), by name. One query."""
    Organisation = get_model("organisations", "Organisation")
    Membership = get_model("organisations", "Membership")
    return list(
        Organisation.objects.filter(
            memberships__user=user, memberships__state=Membership.State.APPROVED
        ).order_by("name", "pk")
    )


def certificate_organisation(*, user) -> object | None:
    """The organisation whose certificate a member gets by default: the first of theirs by
    name, or None for someone buying only for themselves."""
    return next(iter(member_organisations(user=user)), None)


# --- Public scorecard summary -----------------------------------------------------------


def pairing_purchases(*, years: list[int]) -> list[PairingPurchases]:
    """Settled purchases from each pairing's western region per year, and the part bought
    by organisations of its eastern region. Aggregates only. A locked year's are the ones
    its lock stored (one query for all the years shown); the others' are read live."""
    locked_years = set(
        LockedFigure.objects.filter(year__in=years, scope=Scope.YEAR).values_list("year", flat=True)
    )
    result = pairing_purchases_live(years=[year for year in years if year not in locked_years])
    if locked_years:
        rows = {item.pairing.pk: item for item in result}
        for row in LockedFigure.objects.filter(year__in=locked_years, scope=Scope.PAIRING):
            item = rows.get(row.pairing_id)
            if item is None:
                continue
            item.by_year[row.year] = row.amount
            if row.amount_from_east is not None:
                item.from_east_by_year[row.year] = row.amount_from_east
    return result


def buyer_organisation(*, user, organisation_id) -> object | None:
    """The organisation if `user` is an approved member of it, else None."""
    Membership = get_model("organisations", "Membership")
    membership = (
        Membership.objects.filter(
            user=user, organisation_id=organisation_id, state=Membership.State.APPROVED
        )
        .select_related("organisation")
        .first()
    )
    return membership.organisation if membership else None
