"""Reads behind the store's listing and search pages: products for sale with the filters
buyers use (category, province, county, the eastern region a county is paired with), and
the choices those filters offer."""

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from oscar.core.loading import get_model

from marketplace.catalogue.selectors import products_for_sale, products_for_storefront
from producers.models import Pairing, Region

Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")

# A search is at most this many terms; longer queries are cut rather than run.
MAX_SEARCH_TERMS = 8

# Each term of a search must occur in one of these (icontains works for Chinese text).
SEARCHED_FIELDS = (
    "title",
    "description",
    "cooperative__legal_name",
    "cooperative__village__name",
    "cooperative__county__name",
    "cooperative__county__name_en",
    "cooperative__county__parent__name",
    "cooperative__county__parent__name_en",
    "cooperative__county__parent__parent__name",
    "cooperative__county__parent__parent__name_en",
)


def _paired_with(east_region: Region) -> Exists:
    """Products from a western region paired with `east_region` or with a region under it.
    A pairing's western side may be a province, a city, a county (or below): the product's
    village, county or one of the county's ancestors must be that region."""
    origin = OuterRef("cooperative__county")
    pairings = Pairing.objects.filter(
        Q(east_region=east_region)
        | Q(east_region__parent=east_region)
        | Q(east_region__parent__parent=east_region)
    ).filter(
        Q(west_region=origin)
        | Q(west_region=OuterRef("cooperative__county__parent"))
        | Q(west_region=OuterRef("cooperative__county__parent__parent"))
        | Q(west_region=OuterRef("cooperative__village"))
        | Q(west_region=OuterRef("cooperative__village__parent"))
    )
    return Exists(pairings)


def _featured_rank() -> Case:
    return Case(
        When(cooperative__county__is_supervision_target=True, then=Value(0)),
        When(cooperative__county__is_deep_poverty=True, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )


def products_for_listing(
    *,
    category: Category | None = None,
    province: Region | None = None,
    county: Region | None = None,
    paired_with: Region | None = None,
    featured_first: bool = False,
) -> QuerySet[Product]:
    """Products for sale today with everything a product card shows, newest first.

    category: that category and its descendants; province, county: the cooperative's;
    paired_with: an eastern province or city, for products of its paired western regions;
    featured_first: supervision-target counties first, then deep-poverty counties."""
    products = products_for_storefront()
    if category is not None:
        in_category = ProductCategory.objects.filter(
            product=OuterRef("pk"), category__path__startswith=category.path
        )
        products = products.filter(Exists(in_category))
    if province is not None:
        products = products.filter(cooperative__county__parent__parent=province)
    if county is not None:
        products = products.filter(cooperative__county=county)
    if paired_with is not None:
        products = products.filter(_paired_with(paired_with))
    if featured_first:
        return products.annotate(featured_rank=_featured_rank()).order_by(
            "featured_rank", "-date_created", "-pk"
        )
    return products.order_by("-date_created", "-pk")


def search_terms(query: str) -> list[str]:
    """The whitespace-separated terms of a search (full-width spaces included)."""
    return query.split()[:MAX_SEARCH_TERMS]


def products_matching(
    *,
    query: str,
    category: Category | None = None,
    province: Region | None = None,
    county: Region | None = None,
    paired_with: Region | None = None,
    featured_first: bool = False,
) -> QuerySet[Product]:
    """Products for listing in which every term of `query` occurs in the title, description,
    cooperative name or a place name of the origin. Database search: works for Chinese text,
    which has no spaces between words for a search index to split on."""
    products = products_for_listing(
        category=category,
        province=province,
        county=county,
        paired_with=paired_with,
        featured_first=featured_first,
    )
    for term in search_terms(query):
        matches = Q()
        for field in SEARCHED_FIELDS:
            matches |= Q(**{f"{field}__icontains": term})
        products = products.filter(matches)
    return products


def counties_with_products_for_sale() -> list[Region]:
    """Counties that have products for sale today, with their city and province loaded."""
    return list(
        Region.objects.filter(pk__in=products_for_sale().values("cooperative__county"))
        .select_related("parent__parent")
        .order_by("code")
    )


def east_regions_with_pairings() -> list[Region]:
    """Eastern regions that are the helping side of at least one pairing, parents loaded."""
    helping = Pairing.objects.filter(east_region__isnull=False).values("east_region")
    return list(
        Region.objects.filter(side=Region.Side.EAST, pk__in=helping)
        .select_related("parent")
        .order_by("code")
    )


def categories_for_browsing() -> list[Category]:
    """Public categories in tree order (each has `depth`)."""
    return list(Category.objects.browsable().order_by("path"))
