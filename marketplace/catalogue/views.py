from oscar.apps.catalogue.views import ProductDetailView as OscarProductDetailView
from oscar.core.loading import get_class

from .selectors import product_is_for_sale

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
