"""Who a purchase counts for: regions of buyers and origins, the pairing it belongs to, and
whether the product was a certified poverty-alleviation product when it was sold.
Pure lookups over a small cache (regions down to county level, pairings, year locks), so
that the settlement task and the rebuild command decide exactly alike."""

import bisect
import datetime
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, fields

from django.db import router
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from core.statements import Statement
from producers.models import Region

from .models import EvaluationYear, Pairing

CERTIFIED = get_model("catalogue", "ProductCertificate").State.CERTIFIED

# 省 / 市 / 自治区… suffixes people may or may not type in an address.
_SUFFIX = re.compile(
    r"(壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区|省|市|地区|自治州|盟)$"
)


@functools.lru_cache(maxsize=8192)
def region_key(name: str) -> str:
    name = (name or "").strip().replace(" ", "")
    return _SUFFIX.sub("", name) or name


@dataclass(frozen=True, slots=True)
class RegionInfo:
    """What attribution reads of a region: plain rows, since the rebuild loads every region
    down to county level (thousands) and model instances cost several times more to
    build."""

    id: int
    name: str
    level: int
    parent_id: int | None
    is_deep_poverty: bool
    is_supervision_target: bool
    exit_year: int | None


REGION_FIELDS = [f.name for f in fields(RegionInfo)]


# A settlement's reads, compiled once per process (core.statements). Provinces, the
# regions given and their parents:
_REGIONS_AND_PROVINCES = Statement(
    lambda *, ids: (
        Region.objects.filter(
            Q(level=Region.Level.PROVINCE)
            | Q(pk__in=ids)
            | Q(pk__in=Region.objects.filter(pk__in=ids).values("parent_id"))
        )
        .order_by()
        .values_list(*REGION_FIELDS)
    ),
    model=Region,
)
PAIRING_FIELDS = [f.attname for f in Pairing._meta.concrete_fields]
# The pairings of some western regions, each region's in (kind, id) order; a designated
# pairing brings the store account whose purchases count for it.
_PAIRINGS_OF_WEST = Statement(
    lambda *, west: (
        Pairing.objects.filter(west_region_id__in=west)
        .order_by("kind", "id")
        .values_list(*PAIRING_FIELDS, "designated_buyer__organisation")
    ),
    model=Pairing,
)


@dataclass
class Attribution:
    """Caches for deciding many facts with a constant number of queries."""

    regions: dict[int, RegionInfo] = field(default_factory=dict)
    provinces_by_key: dict[str, RegionInfo] = field(default_factory=dict)
    cities_by_key: dict[tuple[int, str], RegionInfo] = field(default_factory=dict)
    # Pairings by their western region, in (kind, id) order.
    pairings_by_west: dict[int, list[Pairing]] = field(default_factory=dict)
    years: dict[int, EvaluationYear] = field(default_factory=dict)
    # Sale times are read in this zone (their year and month); the current one at load().
    timezone: datetime.tzinfo = field(default_factory=timezone.get_current_timezone)
    # Answers already given: every lookup below is a pure function of these caches.
    _chains: dict = field(default_factory=dict, repr=False)
    _addresses: dict = field(default_factory=dict, repr=False)
    _pairings_for: dict = field(default_factory=dict, repr=False)
    # Provinces whose cities are all in cities_by_key (None: every province's).
    _cities_loaded: set[int] | None = field(default_factory=set, repr=False)
    # Western regions whose pairings are all in pairings_by_west (None: every region's).
    _pairings_loaded: set[int] | None = field(default_factory=set, repr=False)

    @classmethod
    def load(
        cls,
        *,
        years: dict[int, EvaluationYear] | None = None,
        region_ids: Iterable[int] | None = None,
    ) -> "Attribution":
        """The caches, from the database. `years`: the year rows the caller already read
        (and locked), instead of reading them again. `region_ids`: load only provinces,
        these regions (a settlement's origin counties and buyer regions) and their parents,
        not every county (China has some 3,000); any other region, and the cities of a
        province an address names, are read when first needed. Likewise only the pairings
        of these regions and their parents (China has some 1,600), others when needed."""
        self = cls()
        if region_ids is None:
            regions = (
                Region.objects.filter(level__lte=Region.Level.COUNTY)
                .order_by()
                .values_list(*REGION_FIELDS)
            )
            self._cities_loaded = None  # all of them
        else:
            ids = {r for r in region_ids if r}
            regions = _REGIONS_AND_PROVINCES.rows(ids=sorted(ids))
        for row in regions:
            self._region_add(RegionInfo(*row))
        if region_ids is None:
            self._pairings_add(Pairing.objects.all())
            self._pairings_loaded = None
        else:
            self._pairings_load({r for region_id in ids for r in self.chain(region_id)})
        if years is None:
            years = {y.year: y for y in EvaluationYear.objects.all()}
        self.years = dict(years)
        return self

    def _region_add(self, region: RegionInfo) -> None:
        self.regions[region.id] = region
        if region.level == Region.Level.PROVINCE:
            self.provinces_by_key[region_key(region.name)] = region
        elif region.level == Region.Level.CITY:
            self.cities_by_key[(region.parent_id, region_key(region.name))] = region

    # Regions ---------------------------------------------------------------------------
    def region(self, region_id: int) -> RegionInfo:
        """A region by id, read from the database if not loaded (below county level, or
        not among the ids load() was given)."""
        region = self.regions.get(region_id)
        if region is None:
            region = RegionInfo(*Region.objects.values_list(*REGION_FIELDS).get(pk=region_id))
            self._region_add(region)
        return region

    def county(self, region_id: int) -> RegionInfo | None:
        """The region if it is a county (or above), else None: origins are counties."""
        region = self.region(region_id)
        return region if region.level <= Region.Level.COUNTY else None

    def chain(self, region_id: int | None) -> list[int]:
        """The region and its ancestors up to the province (ids), nearest first."""
        if region_id not in self._chains:
            self._chains[region_id] = self._chain(region_id)
        return self._chains[region_id]

    def _chain(self, region_id: int | None) -> list[int]:
        ids = []
        while region_id is not None:
            ids.append(region_id)
            region_id = self.region(region_id).parent_id
        return ids

    def shipping_region(self, address) -> tuple[int | None, str]:
        """The region of a Chinese shipping address (province in `state`, city in `line4`),
        as precise as the names allow, with a note when it could not be placed."""
        if address is None:
            if None not in self._addresses:
                self._addresses[None] = (None, _("订单没有收货地址，无法归属地区"))
            return self._addresses[None]
        return self.address_region(state=address.state, city=address.line4)

    def address_region(self, *, state: str, city: str) -> tuple[int | None, str]:
        """shipping_region() from the address's province (`state`) and city (`line4`)."""
        key = (state, city)
        if key not in self._addresses:
            self._addresses[key] = self._address_region(state=state, city=city)
        return self._addresses[key]

    def _address_region(self, *, state: str, city: str) -> tuple[int | None, str]:
        province = self.provinces_by_key.get(region_key(state))
        if province is None:
            return None, _("收货地址省份“%(name)s”无法对应行政区划") % {"name": state}
        self._cities_load(province.id)
        found = self.cities_by_key.get((province.id, region_key(city)))
        if found is None:
            # Municipalities (上海市) have no city of the same name: the province is exact.
            if region_key(city) == region_key(province.name):
                return province.id, ""
            return province.id, _("收货地址城市“%(name)s”无法对应行政区划，按省级归属") % {
                "name": city
            }
        return found.id, ""

    def _cities_load(self, province_id: int) -> None:
        if self._cities_loaded is None or province_id in self._cities_loaded:
            return
        cities = Region.objects.filter(parent_id=province_id, level=Region.Level.CITY)
        for row in cities.order_by().values_list(*REGION_FIELDS):
            self._region_add(RegionInfo(*row))
        self._cities_loaded.add(province_id)

    # Pairings --------------------------------------------------------------------------
    def _pairings_load(self, region_ids: set[int]) -> None:
        """Make sure the pairings of these western regions are loaded."""
        if self._pairings_loaded is None:
            return
        missing = region_ids - self._pairings_loaded
        if missing:
            alias = router.db_for_read(Pairing)
            for *row, organisation_id in _PAIRINGS_OF_WEST.rows(west=sorted(missing)):
                pairing = Pairing.from_db(alias, PAIRING_FIELDS, row)
                pairing.assisting_organisation_id = organisation_id
                self.pairings_by_west.setdefault(pairing.west_region_id, []).append(pairing)
            self._pairings_loaded |= missing

    def _pairings_add(self, pairings) -> None:
        # Each region's pairings come in one query, so each list is in (kind, id) order;
        # a designated pairing brings the store account whose purchases count for it.
        pairings = pairings.annotate(assisting_organisation_id=F("designated_buyer__organisation"))
        for pairing in pairings.order_by("kind", "id"):
            self.pairings_by_west.setdefault(pairing.west_region_id, []).append(pairing)

    def pairing_for(
        self,
        *,
        east_region_id: int | None,
        organisation_id: int | None,
        origin_county_id: int | None,
        year: int,
    ) -> Pairing | None:
        """The most specific pairing active in `year` whose west side contains the origin and
        whose helper is the organisation (designated) or contains the eastern region."""
        key = (east_region_id, organisation_id, origin_county_id, year)
        if key not in self._pairings_for:
            self._pairings_for[key] = self._pairing_for(*key)
        return self._pairings_for[key]

    def _pairing_for(self, east_region_id, organisation_id, origin_county_id, year):
        if origin_county_id is None:
            return None
        west = self.chain(origin_county_id)
        self._pairings_load(set(west))
        east = self.chain(east_region_id) if east_region_id else []
        best, best_key = None, None
        by_west = self.pairings_by_west
        for pairing in (p for region_id in west for p in by_west.get(region_id, ())):
            if not pairing.is_active_in(year):
                continue
            if pairing.kind == Pairing.Kind.DESIGNATED:
                if organisation_id is None or pairing.assisting_organisation_id != organisation_id:
                    continue
                # A unit's own designated pairing is the most specific relationship there is.
                key = (1, 0, -west.index(pairing.west_region_id))
            else:
                if pairing.east_region_id not in east:
                    continue
                key = (0, -east.index(pairing.east_region_id), -west.index(pairing.west_region_id))
            if best_key is None or key > best_key:
                best, best_key = pairing, key
        return best

    # The attribution rule (docs/decisions/0005-purchase-or-help-sell.md) -------------------
    def sale_pairings(
        self,
        *,
        purchaser_region_id: int | None,
        purchaser_organisation_id: int | None,
        channel_region_id: int | None,
        channel_organisation_id: int | None,
        origin_county_id: int | None,
        year: int,
    ) -> tuple[Pairing | None, Pairing | None]:
        """(bought, helped): the pairing a sale counts for as its purchase (采购) and the one
        it counts for as help-sell (帮助销售), never the same pairing for both.

        Purchase: the purchaser is an organisation of the eastern side, or a person recorded
        as member of one; `purchaser_*` are that organisation's (None for anyone else: a
        shipping address alone never makes a purchase). Help-sell: the sale went through a
        channel the eastern side organised (campaign zone, counter, fair) and is not that
        same pairing's purchase."""
        bought = None
        if purchaser_organisation_id is not None:
            bought = self.pairing_for(
                east_region_id=purchaser_region_id,
                organisation_id=purchaser_organisation_id,
                origin_county_id=origin_county_id,
                year=year,
            )
        helped = None
        if channel_region_id is not None or channel_organisation_id is not None:
            helped = self.pairing_for(
                east_region_id=channel_region_id,
                organisation_id=channel_organisation_id,
                origin_county_id=origin_county_id,
                year=year,
            )
        if helped is not None and bought is not None and helped.pk == bought.pk:
            helped = None  # its own purchase: counted once, as purchase
        return bought, helped

    # Years -----------------------------------------------------------------------------
    def is_locked(self, year: int) -> bool:
        config = self.years.get(year)
        return config is not None and config.is_locked

    def open_year_from(self, year: int) -> int:
        while self.is_locked(year):
            year += 1
        return year


@dataclass(frozen=True, slots=True)
class CertificateHistory:
    """What certified_at() needs of a certificate: its validity, its state today and its
    recorded state changes as (created_at, from_state, to_state), by (created_at, pk)."""

    valid_from: datetime.date | None
    valid_to: datetime.date | None
    state: str
    changes: tuple[tuple[datetime.datetime, str, str], ...] = ()
    # created_at of each change, for bisecting
    times: tuple[datetime.datetime, ...] = ()

    @classmethod
    def of(cls, *, valid_from, valid_to, state: str, changes=()) -> "CertificateHistory":
        changes = tuple(sorted(changes, key=lambda c: c[0]))  # stable: pk order kept
        return cls(valid_from, valid_to, state, changes, tuple(c[0] for c in changes))


def certified_at(*, certificates: Iterable[CertificateHistory], moment: datetime.datetime) -> bool:
    """Whether a product with these certificates had a valid one at `moment`, by the
    certificate's state at that time (its recorded state changes), not its state today."""
    day = moment.date() if isinstance(moment, datetime.datetime) else moment
    for certificate in certificates:
        if not (certificate.valid_from and certificate.valid_to):
            continue
        if not certificate.valid_from <= day <= certificate.valid_to:
            continue
        if _state_at(certificate, moment) == CERTIFIED:
            return True
    return False


def _state_at(certificate: CertificateHistory, moment) -> str:
    if not certificate.changes:
        return certificate.state
    before = bisect.bisect_right(certificate.times, moment)
    if before:
        return certificate.changes[before - 1][2]
    # A certificate recorded directly in a state (no earlier state) held it from the start
    # of its validity: imports and back-office entry of certificates issued on paper.
    _created_at, from_state, to_state = certificate.changes[0]
    return from_state or to_state
