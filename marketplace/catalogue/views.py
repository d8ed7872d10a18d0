from functools import partial
from types import SimpleNamespace
from urllib.parse import unquote

from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpResponsePermanentRedirect
from django.utils.functional import SimpleLazyObject
from django.views.generic.base import ContextMixin
from oscar.apps.catalogue.views import ProductDetailView as OscarProductDetailView
from oscar.core.loading import get_class, get_model

from .caching import catalogue_version
from .history import RELATED_PRODUCTS_SHOWN, recently_viewed_ids
from .product_page import (
    FRAGMENT_SECONDS,
    ProductById,
    product_cards,
    product_page_facts,
    product_page_facts_cached,
    product_page_facts_keep,
    slots_fill,
)
from .selectors import product_is_for_sale, products_for_storefront, products_in_order

CatalogueView = get_class("search.views", "CatalogueView")
ProductCategoryView = get_class("search.views", "ProductCategoryView")

ProductRecommendation = get_model("catalogue", "ProductRecommendation")
_ANONYMOUS = SimpleNamespace(user=AnonymousUser())


class ProductDetailView(OscarProductDetailView):
    """Oscar's product page, whose shared body comes from the cache (product_page.py): a
    page served from there runs no query for the product, its recommendations or its
    recently viewed products, and records the view on a worker (marketplace.analytics)."""

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

    def _product_load(self, pk: int):
        product = self.get_queryset().filter(pk=pk).first()
        if product is None:
            raise Http404
        return product

    def get(self, request, *args, **kwargs):
        pk = int(kwargs["pk"])
        self.product_id = pk
        self.version = catalogue_version()
        facts = product_page_facts_cached(version=self.version, product_id=pk)
        product = None
        if facts is None:
            product = self._product_load(pk)
            facts = product_page_facts(product=product)
            # Anyone may see it (a product for sale): later readers skip the checks below.
            facts["for_everyone"] = self.is_viewable(product, _ANONYMOUS)
            product_page_facts_keep(version=self.version, product_id=pk, facts=facts)
        self.facts = facts
        if unquote(facts["path"]) != unquote(request.path):
            return HttpResponsePermanentRedirect(facts["path"])
        if not facts["for_everyone"]:
            product = product or self._product_load(pk)
            if not self.is_viewable(product, request):
                raise Http404
        # Loaded only if a fragment of the page is not in the cache.
        self.object = product or ProductById(partial(self._product_load, pk), pk=pk)
        response = self.render_to_response(self.get_context_data())
        response.add_post_render_callback(self._fill_per_request_parts)
        # A page only some may see (staff, the cooperative's people) is not shared.
        response.page_shared = facts["for_everyone"]
        self.send_signal(request, response, self.object)
        return response

    def _fill_per_request_parts(self, response):
        response.content = slots_fill(
            response.content.decode(response.charset),
            request=self.request,
            product_id=self.product_id,
            product_slug=self.facts["slug"],
        )

    def get_template_names(self):
        if self.template_name:
            return [self.template_name]
        return [
            f"oscar/{self.template_folder}/detail-for-upc-{self.facts['upc']}.html",
            f"oscar/{self.template_folder}/detail-for-class-{self.facts['class_slug']}.html",
            f"oscar/{self.template_folder}/detail.html",
        ]

    # Not Oscar's: its context loads the product (and the reader's stock alert) for every
    # request. Recommended and recently viewed products come for sale and in one batch
    # (Oscar's template tags load them one query at a time, whether for sale or not).
    def get_context_data(self, **kwargs):
        context = ContextMixin.get_context_data(self, **kwargs)
        pk = self.product_id
        viewed = recently_viewed_ids(self.request, product_id=pk)
        context.update(
            product=self.object,
            object=self.object,
            product_id=pk,
            catalogue_version=self.version,
            fragment_seconds=FRAGMENT_SECONDS,
            # Rendered inside a cached fragment: loaded when that fragment is rendered.
            recommended_products=SimpleLazyObject(partial(self._recommended, pk)),
            recently_viewed_cards=product_cards(
                request=self.request, ids=viewed, version=self.version
            ),
            # The products behind the cards, for code that reads the context.
            recently_viewed=SimpleLazyObject(partial(products_in_order, ids=viewed)),
        )
        return context

    def _recommended(self, pk: int) -> list:
        recommended = list(
            ProductRecommendation.objects.filter(primary_id=pk)
            .order_by("-ranking", "pk")
            .values_list("recommendation_id", flat=True)[:RELATED_PRODUCTS_SHOWN]
        )
        return products_in_order(ids=recommended)
