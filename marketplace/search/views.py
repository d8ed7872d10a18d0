"""Browsing and searching the store from the database.

Oscar browses and searches through haystack, whose simple backend finds nothing without a
query and nothing for Chinese text (it splits queries into words on spaces); here both are
database queries over the products for sale, with the same filters and pagination.

Oscar's catalogue app loads CatalogueView and ProductCategoryView from "search.views", and
this app's ready() mounts ProductSearchView at search:search. Oscar's own search modules
load their classes through "search.views.*" labels, which resolve to this module first:
never import oscar.apps.search.views here (it would import this module half-initialised).
"""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponsePermanentRedirect, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView
from oscar.apps.search.signals import user_search
from oscar.core.loading import get_model

from marketplace.catalogue.caching import VersionedCountPaginator, catalogue_version

from .forms import FilterChoices, ProductFilterForm
from .selectors import products_for_listing, products_matching

Category = get_model("catalogue", "Category")


class ProductListView(ListView):
    """Products for sale, filtered by the GET parameters of ProductFilterForm."""

    context_object_name = "products"
    paginate_by = settings.OSCAR_PRODUCTS_PER_PAGE
    paginator_class = VersionedCountPaginator

    def get(self, request, *args, **kwargs):
        # One cheap query; the filter choices, the result count and the rendered filters
        # and product grid are cached under it (marketplace.catalogue.caching).
        self.version = catalogue_version()
        self.filter_form = ProductFilterForm(
            request.GET, choices=FilterChoices.load(version=self.version)
        )
        self.filters = self.get_filters()
        try:
            response = super().get(request, *args, **kwargs)
        except Http404:
            messages.error(request, _("页码无效，已回到第一页。"))
            return redirect(self.first_page_url())
        # Whether every signed-in reader may get this page as rendered now (page_cache).
        response.page_shared = self.shared_with_everyone()
        return response

    def shared_with_everyone(self) -> bool:
        return True

    def get_filters(self) -> dict:
        return self.filter_form.filters()

    def first_page_url(self) -> str:
        return self.request.path + _querystring(self.request.GET, without=("page",))

    def filter_action_url(self) -> str:
        """Where the filter form and the category links lead."""
        return self.request.path

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kw):
        return self.paginator_class(
            queryset, per_page, orphans, allow_empty_first_page, version=self.version, **kw
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        category = self.filters["category"]
        context.update(
            catalogue_version=self.version,
            filter_form=self.filter_form,
            filter_action=self.filter_action_url(),
            # Category links keep the other filters (and the search terms), not the page.
            category_querystring=_querystring(
                self.request.GET, without=("page", "category"), trailing_amp=True
            ),
            category_links=self.filter_form.choices.categories,
            # Clearing the origin filters keeps the search terms and the category.
            clear_url=self.filter_action_url()
            + _querystring(self._kept_on_clear(category), without=()),
            category=category,
            category_ancestors=_ancestors(category, self.filter_form.choices.categories),
            summary=category.name if category else _("所有产品"),
        )
        return context

    def _kept_on_clear(self, category) -> QueryDict:
        kept = QueryDict(mutable=True)
        if self.filter_form.query():
            kept["q"] = self.filter_form.query()
        if category is not None:
            kept["category"] = category.pk
        return kept


class CatalogueView(ProductListView):
    template_name = "oscar/catalogue/browse.html"

    def get_queryset(self):
        return products_for_listing(**self.filters)


class ProductCategoryView(CatalogueView):
    # Oscar's category URL (/catalogue/category/<slug>_<pk>/) is kept for links from
    # elsewhere; its filters lead back to the catalogue with ?category=<pk>.
    template_name = "oscar/catalogue/category.html"

    def get(self, request, *args, **kwargs):
        self.category = get_object_or_404(Category, pk=self.kwargs["pk"])
        if not (self.category.is_public or request.user.is_staff):
            raise Http404
        expected_path = self.category.get_absolute_url()
        if expected_path != request.path:
            # Categories are found by primary key so that slugs can change; filters stay.
            query = request.GET.urlencode()
            return HttpResponsePermanentRedirect(expected_path + (f"?{query}" if query else ""))
        return super().get(request, *args, **kwargs)

    def shared_with_everyone(self) -> bool:
        return self.category.is_public  # staff also see hidden categories

    def filter_action_url(self) -> str:
        return reverse("catalogue:index")

    def get_filters(self) -> dict:
        return {**super().get_filters(), "category": self.category}


class ProductSearchView(ProductListView):
    """Every whitespace-separated term must occur in the product or its origin."""

    template_name = "oscar/search/results.html"

    def get(self, request, *args, **kwargs):
        # Oscar's analytics app records searches through this signal.
        user_search.send(
            sender=self, session=request.session, user=request.user, query=request.GET.get("q", "")
        )
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return products_matching(query=self.filter_form.query(), **self.filters)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["query"] = self.filter_form.query()
        return context


def _ancestors(category, categories: list) -> list:
    """A category's ancestors from an already loaded list (materialised paths)."""
    if category is None:
        return []
    return [
        other
        for other in categories
        if other.depth < category.depth and category.path.startswith(other.path)
    ]


def _querystring(params, *, without: tuple[str, ...], trailing_amp: bool = False) -> str:
    params = params.copy()
    for name in without:
        params.pop(name, None)
    encoded = params.urlencode()
    if trailing_amp:
        return f"{encoded}&" if encoded else ""
    return f"?{encoded}" if encoded else ""
