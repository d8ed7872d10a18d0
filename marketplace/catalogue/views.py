from oscar.apps.catalogue.views import ProductDetailView as OscarProductDetailView
from oscar.core.loading import get_class

from .history import RELATED_PRODUCTS_SHOWN, recently_viewed_ids
from .selectors import product_is_for_sale, products_for_storefront, products_in_order

CatalogueView = get_class("search.views", "CatalogueView")
ProductCategoryView = get_class("search.views", "ProductCategoryView")


class ProductDetailView(OscarProductDetailView):
    # A product without a valid certificate leaves the store: only staff and the
    # cooperative's own people still see its page.
    def is_viewable(self, product, request):
        if not super().is_viewable(product, request):
            return False
        if request.user.is_staff or product_is_for_sale(product=product):
            return True
        return (
            request.user.is_authenticated
            and product.cooperative_id is not None
            and product.cooperative.partner.users.filter(pk=request.user.pk).exists()
        )

    # Oscar loads the product alone; the page also shows its origin, certificate and
    # the households its cooperative links, loaded here with it.
    def get_queryset(self):
        return products_for_storefront(for_sale=False)

    # Oscar's template tags load recommended and recently viewed products one query at a
    # time and include products no longer for sale; these come prefetched, for sale, and
    # in one batch.
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        product = self.object
        recommended = list(
            product.primary_recommendations.order_by("-ranking", "pk").values_list(
                "recommendation_id", flat=True
            )[:RELATED_PRODUCTS_SHOWN]
        )
        viewed = recently_viewed_ids(self.request, product_id=product.pk)
        related = {p.pk: p for p in products_in_order(ids=recommended + viewed)}
        context["recommended_products"] = [related[pk] for pk in recommended if pk in related]
        context["recently_viewed"] = [related[pk] for pk in viewed if pk in related]
        return context
