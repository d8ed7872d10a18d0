"""Who a purchase counts for: regions of buyers and origins, the pairing it belongs to, and
whether the product was a certified poverty-alleviation product when it was sold.
Pure lookups over a small cache (regions down to county level, pairings, year locks), so
that the settlement task and the rebuild command decide exactly alike."""

import datetime
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from producers.models import Region

from .models import EvaluationYear, Pairing

# 省 / 市 / 自治区… suffixes people may or may not type in an address.
_SUFFIX = re.compile(
    r"(壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区|省|市|地区|自治州|盟)$"
)


def region_key(name: str) -> str:
    name = (name or "").strip().replace(" ", "")
    return _SUFFIX.sub("", name) or name


@dataclass
class Attribution:
    """Caches for deciding many facts with a constant number of queries."""

    regions: dict[int, Region] = field(default_factory=dict)
    provinces_by_key: dict[str, Region] = field(default_factory=dict)
    cities_by_key: dict[tuple[int, str], Region] = field(default_factory=dict)
    pairings: list[Pairing] = field(default_factory=list)
    years: dict[int, EvaluationYear] = field(default_factory=dict)

    @classmethod
    def load(cls) -> "Attribution":
        self = cls()
        for region in Region.objects.filter(level__lte=Region.Level.COUNTY):
            self.regions[region.pk] = region
            if region.level == Region.Level.PROVINCE:
                self.provinces_by_key[region_key(region.name)] = region
            elif region.level == Region.Level.CITY:
                self.cities_by_key[(region.parent_id, region_key(region.name))] = region
        self.pairings = list(Pairing.objects.all())
        self.years = {y.year: y for y in EvaluationYear.objects.all()}
        return self

    # Regions ---------------------------------------------------------------------------
    def chain(self, region_id: int | None) -> list[int]:
        """The region and its ancestors up to the province (ids), nearest first."""
        ids = []
        while region_id is not None:
            ids.append(region_id)
            region = self.regions.get(region_id)
            if region is None:  # below county level: climb with one query per level
                region = Region.objects.only("parent_id", "level").get(pk=region_id)
            region_id = region.parent_id
        return ids

    def shipping_region(self, address) -> tuple[int | None, str]:
        """The region of a Chinese shipping address (province in `state`, city in `line4`),
        as precise as the names allow, with a note when it could not be placed."""
        if address is None:
            return None, _("订单没有收货地址，无法归属地区")
        province = self.provinces_by_key.get(region_key(address.state))
        if province is None:
            return None, _("收货地址省份“%(name)s”无法对应行政区划") % {"name": address.state}
        city = self.cities_by_key.get((province.pk, region_key(address.line4)))
        if city is None:
            # Municipalities (上海市) have no city of the same name: the province is exact.
            if region_key(address.line4) == region_key(province.name):
                return province.pk, ""
            return province.pk, _("收货地址城市“%(name)s”无法对应行政区划，按省级归属") % {
                "name": address.line4
            }
        return city.pk, ""

    # Pairings --------------------------------------------------------------------------
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
        if origin_county_id is None:
            return None
        west = self.chain(origin_county_id)
        east = self.chain(east_region_id) if east_region_id else []
        best, best_key = None, None
        for pairing in self.pairings:
            if not pairing.is_active_in(year) or pairing.west_region_id not in west:
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

    # Years -----------------------------------------------------------------------------
    def is_locked(self, year: int) -> bool:
        config = self.years.get(year)
        return config is not None and config.is_locked

    def open_year_from(self, year: int) -> int:
        while self.is_locked(year):
            year += 1
        return year


def certified_at(*, product, moment: datetime.datetime) -> bool:
    """Whether the product had a valid certificate at `moment`, by the certificate's state
    at that time (its recorded state changes), not its state today. Uses prefetched
    `certificates` and their `events`."""
    day = moment.date() if isinstance(moment, datetime.datetime) else moment
    for certificate in product.certificates.all():
        if not (certificate.valid_from and certificate.valid_to):
            continue
        if not certificate.valid_from <= day <= certificate.valid_to:
            continue
        if _state_at(certificate, moment) == certificate.State.CERTIFIED:
            return True
    return False


def _state_at(certificate, moment) -> str:
    events = sorted(certificate.events.all(), key=lambda e: (e.created_at, e.pk))
    if not events:
        return certificate.state
    before = [e for e in events if e.created_at <= moment]
    if before:
        return before[-1].to_state
    # A certificate recorded directly in a state (no earlier state) held it from the start
    # of its validity: imports and back-office entry of certificates issued on paper.
    return events[0].from_state or events[0].to_state
