# Oscar's catalogue app loads CatalogueView and ProductCategoryView from "search.views".
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView
from oscar.core.loading import get_model

from .selectors import products_for_listing

Category = get_model("catalogue", "Category")


class CatalogueView(ListView):
    """Browse all products.

    Oscar browses through haystack, whose simple backend finds nothing without a query;
    here browsing is a database query, and haystack serves only the search page.
    """

    context_object_name = "products"
    template_name = "oscar/catalogue/browse.html"
    paginate_by = settings.OSCAR_PRODUCTS_PER_PAGE

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            messages.error(request, _("页码无效，已回到第一页。"))
            return redirect(self.first_page_url())

    def first_page_url(self) -> str:
        return str(_catalogue_index_url())

    def get_queryset(self):
        return products_for_listing()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["summary"] = _("所有产品")
        return context


class ProductCategoryView(CatalogueView):
    template_name = "oscar/catalogue/category.html"

    def get(self, request, *args, **kwargs):
        self.category = get_object_or_404(Category, pk=self.kwargs["pk"])
        if not (self.category.is_public or request.user.is_staff):
            raise Http404
        expected_path = self.category.get_absolute_url()
        if expected_path != request.path:
            # Categories are found by primary key so that slugs can change.
            return HttpResponsePermanentRedirect(expected_path)
        return super().get(request, *args, **kwargs)

    def first_page_url(self) -> str:
        return self.category.get_absolute_url()

    def get_queryset(self):
        return products_for_listing(category=self.category)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["category"] = self.category
        context["summary"] = self.category.name
        return context


def _catalogue_index_url():
    from django.urls import reverse

    return reverse("catalogue:index")


def __getattr__(name: str):
    # Search stays Oscar's haystack view. It is imported lazily because Oscar's search views
    # load their base classes through "search.views.*", which resolves to this module first.
    if name == "FacetedSearchView":
        from oscar.apps.search.views.search import FacetedSearchView

        return FacetedSearchView
    raise AttributeError(name)
