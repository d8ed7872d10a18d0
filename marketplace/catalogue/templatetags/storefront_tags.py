"""Facts the storefront shows about a product's origin, read from what the storefront
selectors loaded (marketplace.catalogue.selectors.products_for_storefront): no queries
when the product came from there."""

from dataclasses import dataclass

from django import template

from marketplace.catalogue.selectors import certificate_in_force, product_households_linked
from producers.models import Region

register = template.Library()


@dataclass(frozen=True)
class Origin:
    province: Region | None
    city: Region | None
    county: Region | None
    village: Region | None

    @property
    def label(self) -> str:
        """省 · 市 · 县 · 村, in the current language."""
        places = (self.province, self.city, self.county, self.village)
        return " · ".join(place.display_name for place in places if place is not None)


@register.simple_tag
def product_origin(product) -> Origin | None:
    """{% product_origin product as origin %}: origin.county, origin.province, origin.label."""
    cooperative = product.cooperative if product.cooperative_id else None
    if cooperative is None:
        return None
    county = cooperative.county
    city = county.parent
    return Origin(
        province=city.parent if city is not None else None,
        city=city,
        county=county,
        village=cooperative.village,
    )


@register.simple_tag
def product_certificate(product):
    """{% product_certificate product as certificate %}: the certificate in force today."""
    return certificate_in_force(product=product)


@register.simple_tag
def product_households(product) -> int:
    """{% product_households product as households %}: households its cooperative links."""
    return product_households_linked(product=product)
