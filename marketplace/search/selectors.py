from django.db.models import QuerySet
from oscar.core.loading import get_model

Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")


def products_for_listing(*, category: Category | None = None) -> QuerySet[Product]:
    """Browsable products, newest first, optionally within a category and its descendants."""
    products = Product.objects.browsable().base_queryset()
    if category is not None:
        products = products.filter(categories__in=category.get_descendants_and_self()).distinct()
    return products.order_by("-date_created", "-pk")
