import oscar.apps.search.apps as apps
from oscar.core.loading import get_class


class SearchConfig(apps.SearchConfig):
    name = "marketplace.search"

    def ready(self):
        # Oscar mounts its haystack FacetedSearchView, which finds nothing for Chinese text;
        # the store searches the database instead (see marketplace.search.views).
        self.search_view = get_class("search.views", "ProductSearchView")
