from django.db.models import QuerySet
from oscar.core.loading import get_model

from marketplace.catalogue.selectors import products_for_sale

Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")


def products_for_listing(*, category: Category | None = None) -> QuerySet[Product]:
    """Products for sale today, newest first, optionally within a category and its descendants."""
    products = products_for_sale().base_queryset()
    if category is not None:
        products = products.filter(categories__in=category.get_descendants_and_self()).distinct()
    return products.order_by("-date_created", "-pk")
