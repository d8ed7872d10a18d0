import datetime

from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone
from oscar.core.loading import get_model

Product = get_model("catalogue", "Product")
ProductCertificate = get_model("catalogue", "ProductCertificate")


def _today() -> datetime.date:
    return timezone.localdate()


def products_for_sale(*, on: datetime.date | None = None) -> QuerySet:
    """Browsable products the store may sell on a day: a certified cooperative and a
    poverty-alleviation certificate valid that day."""
    on = on or _today()
    valid = ProductCertificate.objects.valid_on(on).filter(product=OuterRef("pk"))
    return (
        Product.objects.browsable()
        .filter(cooperative__state="certified")
        .filter(Exists(valid))
        .select_related("cooperative")
        .prefetch_related(
            Prefetch("certificates", queryset=ProductCertificate.objects.valid_on(on))
        )
    )


def product_is_for_sale(*, product, on: datetime.date | None = None) -> bool:
    """The same rule for one product. Uses prefetched certificates when present."""
    on = on or _today()
    cooperative = product.cooperative
    if cooperative is None or not cooperative.is_certified:
        return False
    return any(certificate.is_valid_on(on) for certificate in product.certificates.all())


def certificate_in_force(*, product, on: datetime.date | None = None):
    on = on or _today()
    return next((c for c in product.certificates.all() if c.is_valid_on(on)), None)
