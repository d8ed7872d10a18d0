import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import router
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from oscar.core.loading import get_model

from core.statements import Statement
from producers.models import BenefitLink

LineAttribute = get_model("basket", "LineAttribute")
Product = get_model("catalogue", "Product")
ProductCertificate = get_model("catalogue", "ProductCertificate")
StockRecord = get_model("partner", "StockRecord")
WishList = get_model("wishlists", "WishList")


def _today() -> datetime.date:
    return timezone.localdate()


def _certificates_in_force(on: datetime.date) -> Prefetch:
    # Prefetched under the plain name so that product.certificates.all() (used by the
    # strategy through product_is_for_sale) reads the cache instead of querying.
    return Prefetch("certificates", queryset=ProductCertificate.objects.valid_on(on))


def _for_sale_on(products: QuerySet, *, on: datetime.date) -> QuerySet:
    valid = ProductCertificate.objects.valid_on(on).filter(product=OuterRef("pk"))
    return products.browsable().filter(cooperative__state="certified").filter(Exists(valid))


def _households_linked(on: datetime.date) -> Coalesce:
    """Registered households with a benefit link to the product's cooperative in force on
    a day, as one correlated subquery (no query per product)."""
    links = (
        BenefitLink.objects.filter(cooperative=OuterRef("cooperative"), started_on__lte=on)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=on))
        .order_by()
        .values("cooperative")
        .annotate(households=Count("household", distinct=True))
        .values("households")
    )
    return Coalesce(Subquery(links, output_field=IntegerField()), 0)


def products_for_sale(*, on: datetime.date | None = None) -> QuerySet:
    """Browsable products the store may sell on a day: a certified cooperative and a
    poverty-alleviation certificate valid that day."""
    on = on or _today()
    return (
        _for_sale_on(Product.objects.all(), on=on)
        .select_related("cooperative")
        .prefetch_related(_certificates_in_force(on))
    )


def _with_options_flags(products: QuerySet) -> QuerySet:
    # What Oscar's base_queryset() annotates for product.has_options, without its prefetches
    # of options and children: product.options and a parent's children are queried anew by
    # Oscar whatever was prefetched, so those prefetches would cost queries and save none.
    Option = get_model("catalogue", "Option")
    return products.annotate(
        has_product_class_options=Exists(
            Option.objects.filter(productclass=OuterRef("product_class"))
        ),
        has_product_options=Exists(Option.objects.filter(product=OuterRef("pk"))),
    )


def product_households_linked(*, product, on: datetime.date | None = None) -> int:
    """Households linked to the product's cooperative: the storefront selectors' annotation
    when the product came from them, else one query (pages of Oscar's own views, such as
    the review form, load the product alone)."""
    linked = getattr(product, "households_linked", None)
    if linked is not None:
        return linked
    on = on or _today()
    return (
        Product.objects.filter(pk=product.pk)
        .annotate(households_linked=_households_linked(on))
        .values_list("households_linked", flat=True)
        .first()
        or 0
    )


def products_for_storefront(*, on: datetime.date | None = None, for_sale: bool = True) -> QuerySet:
    """Products with everything the storefront renders, loaded in four queries whatever
    the number of products: the products with their class, cooperative, village and county →
    city → province chain and `households_linked`; then stock records (price, availability),
    images and the certificate in force (product.certificates.all()).

    for_sale=False keeps products that are no longer for sale (their page is still shown to
    staff and to their own cooperative)."""
    on = on or _today()
    products = Product.objects.all()
    if for_sale:
        products = _for_sale_on(products, on=on)
    return (
        _with_options_flags(products)
        .select_related(
            "product_class", "cooperative__county__parent__parent", "cooperative__village"
        )
        .prefetch_related("stockrecords", "images", _certificates_in_force(on))
        .annotate(households_linked=_households_linked(on))
    )


def products_in_order(*, ids: Iterable[int], on: datetime.date | None = None) -> list:
    """Products for sale among `ids`, in the order of `ids`, with storefront facts."""
    ids = [pk for pk in ids if isinstance(pk, int)]
    if not ids:
        return []
    found = products_for_storefront(on=on).in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def basket_lines_prefetch(*, lines: Iterable, on: datetime.date | None = None) -> None:
    """Load, for all lines of a basket at once, what the strategy and the basket page read
    for each line's product: its class (a variant's is its parent's), stock records,
    cooperative and the certificate in force. Oscar's basket loads only the product, so each
    line would otherwise cost queries. Products already loaded cost nothing, and are seen
    to be before any lookup is built: the strategy calls this once per line on every page
    that prices the basket."""
    products = [line.product for line in lines if line.product_id is not None]
    if all(_purchase_facts_loaded(product) for product in products):
        return
    on = on or _today()
    prefetch_related_objects(
        products,
        "product_class",
        "parent__product_class",
        "stockrecords",
        "cooperative",
        _certificates_in_force(on),
    )


def _purchase_facts_loaded(product) -> bool:
    """Whether what basket_lines_prefetch loads is on the product already (the lookups
    prefetch_related_objects would skip)."""
    prefetched = getattr(product, "_prefetched_objects_cache", {})
    if "stockrecords" not in prefetched or "certificates" not in prefetched:
        return False
    if not (Product.product_class.is_cached(product) and Product.cooperative.is_cached(product)):
        return False
    if product.parent_id is None:
        return True
    return Product.parent.is_cached(product) and Product.product_class.is_cached(product.parent)


def product_purchase_prefetch(*, product) -> None:
    """What the strategy reads of a product to price it and say whether it can be bought
    (its stock records, cooperative and certificates), loaded on the product so that the
    request's later asks read them again without a query. Oscar asks once per call
    (stock records, then certificates); a product from the storefront's or the basket's
    selectors has them already and costs nothing. All certificates, as
    product.certificates.all() would read them, and only for a certified cooperative's
    product (the only one whose certificates are read)."""
    lookups = ["stockrecords"]
    cooperative = product.cooperative
    if cooperative is not None and cooperative.is_certified:
        lookups.append("certificates")
    prefetch_related_objects([product], *lookups)


def products_for_basket() -> QuerySet:
    """Products as adding one to the basket reads them, in three queries: the product with
    its class (a variant's parent's too), cooperative and whether it has options (Oscar's
    flags for product.has_options), then its stock records and certificates, as
    product_purchase_prefetch loads them for the strategy. Oscar's add view loads the
    product alone and each of those on first use."""
    Option = get_model("catalogue", "Option")
    # A variant has no class of its own: its options are its parent's class's (Oscar's
    # get_product_class) and its own, so the flag looks at the parent's class too.
    product_class = Coalesce(OuterRef("product_class"), OuterRef("parent__product_class"))
    return (
        Product.objects.select_related("product_class", "parent__product_class", "cooperative")
        .annotate(
            has_product_class_options=Exists(Option.objects.filter(productclass=product_class)),
            has_product_options=Exists(Option.objects.filter(product=OuterRef("pk"))),
        )
        .prefetch_related("stockrecords", "certificates")
    )


def _as_prefetched(instance, name: str, objects: list) -> None:
    # What prefetch_related would leave: instance.<name>.all() reads these, no query. None
    # is an empty queryset, so that filtering or locking it (Oscar locks a basket's
    # vouchers when it places the order) asks nothing either.
    manager = getattr(instance, name)
    related = manager.all() if objects else manager.none()
    related._result_cache = list(objects)
    related._prefetch_done = True
    instance._prefetched_objects_cache = getattr(instance, "_prefetched_objects_cache", {})
    instance._prefetched_objects_cache[name] = related


def basket_vouchers_none(*, basket) -> None:
    """A basket known to hold no voucher (its query said so) reads its vouchers as empty
    without asking; adding one clears this, as it clears prefetched vouchers."""
    _as_prefetched(basket, "vouchers", [])


def basket_lines_load(*, basket, on: datetime.date | None = None, images: bool = True) -> list:
    """The basket's lines as Oscar's basket keeps them (basket.all_lines()), loaded in one
    go with what the strategy, offers, checkout pages and order placement read of each:
    product, class, cooperative, stock record and its partner joined in the lines' query,
    then images and certificates in force at one query each, whatever the number of lines
    (images only for pages that show them). A line's options (attributes) and a product's
    stock records are asked for only when the lines' query says there is something beyond
    the line's own stock record to read: most lines have no options and most products one
    stock record, the line's. Oscar's own query joins only the product and stock record,
    and asks the database to count the lines first."""
    if basket.id is None:
        return []
    if basket._lines is None:
        stockrecords = (
            StockRecord.objects.filter(product=OuterRef("product_id"))
            .order_by()
            .values("product")
            .annotate(n=Count("pk"))
            .values("n")
        )
        basket._lines = (
            basket.lines.select_related(
                "product__product_class",
                "product__parent__product_class",
                "product__cooperative",
                "stockrecord__partner",
            )
            .annotate(
                has_options=Exists(LineAttribute.objects.filter(line=OuterRef("pk"))),
                product_stockrecords=Subquery(stockrecords, output_field=IntegerField()),
            )
            .prefetch_related(*(["product__images"] if images else []))
            .order_by("pk")
        )
    lines = list(basket._lines)  # the queryset keeps them: is_empty counts without a query
    for line in lines:
        if getattr(line, "has_options", True) is False:
            _as_prefetched(line, "attributes", [])
        product = line.product
        if (
            getattr(line, "product_stockrecords", None) == 1
            and line.stockrecord.product_id == line.product_id
            and "stockrecords" not in getattr(product, "_prefetched_objects_cache", {})
        ):
            _as_prefetched(product, "stockrecords", [line.stockrecord])
    prefetch_related_objects(lines, "attributes")
    basket_lines_prefetch(lines=lines, on=on)
    return lines


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


# What a product page shows for the person reading it, by product id (a page from the
# cache never loads the product itself): one query each.


_WISHLIST_FIELDS = [field.attname for field in WishList._meta.concrete_fields]


def _wishlists_of(owner_id: int, product_id: int):
    holds = get_model("wishlists", "Line").objects.filter(
        wishlist=OuterRef("pk"), product_id=product_id
    )
    return (
        WishList.objects.filter(owner_id=owner_id)
        .annotate(has_product=Exists(holds))
        .order_by("date_created", "pk")  # Oscar's order
        .values_list(*_WISHLIST_FIELDS, "has_product")
    )


# Asked on every signed-in product page: compiled once per process.
_WISHLISTS_OF = Statement(_wishlists_of, model=WishList)


def wishlists_with_product(*, user, product_id: int) -> list:
    """The user's wish lists, each with `has_product` (whether it holds the product)."""
    if not user.is_authenticated:
        return []
    database = router.db_for_read(WishList)
    found = []
    for *values, has_product in _WISHLISTS_OF.rows(owner_id=user.pk, product_id=product_id):
        wishlist = WishList.from_db(database, _WISHLIST_FIELDS, values)
        wishlist.has_product = has_product
        found.append(wishlist)
    return found


def stock_alert_active(*, user, product_id: int) -> bool:
    """Whether the user asked to be told when the product is back in stock."""
    if not user.is_authenticated:
        return False
    ProductAlert = get_model("customer", "ProductAlert")
    return ProductAlert.objects.filter(
        product_id=product_id, user=user, status=ProductAlert.ACTIVE
    ).exists()


def review_permitted(*, user, product_id: int) -> bool:
    """Oscar's Product.is_review_permitted by product id: a signed-in buyer (or anyone, if
    OSCAR_ALLOW_ANON_REVIEWS) who has not reviewed the product yet."""
    if not (user.is_authenticated or settings.OSCAR_ALLOW_ANON_REVIEWS):
        return False
    if not user.is_authenticated:
        return True
    return not _REVIEWS_OF.rows(product_id=product_id, user_id=user.pk)


def _reviews_of(product_id: int, user_id: int):
    ProductReview = get_model("reviews", "ProductReview")
    return ProductReview.objects.filter(product_id=product_id, user_id=user_id).values_list(
        "pk", flat=True
    )[:1]


# Asked on every signed-in product page: compiled once per process.
_REVIEWS_OF = Statement(_reviews_of, model=get_model("reviews", "ProductReview"))
