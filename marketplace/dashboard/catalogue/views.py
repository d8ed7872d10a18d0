from django.http import Http404
from oscar.apps.dashboard.catalogue import views
from oscar.core.loading import get_model

Product = get_model("catalogue", "Product")


class ProductCreateUpdateView(views.ProductCreateUpdateView):
    # Oscar lets a partner user add a variant under any parent product, so a cooperative
    # could list its goods under another cooperative's product; here only under its own.
    def get_object(self, queryset=None):
        parent_pk = self.kwargs.get("parent_pk")
        if parent_pk is not None:
            parents = self.filter_queryset(Product.objects.filter(pk=parent_pk))
            if not parents.exists():
                raise Http404
        return super().get_object(queryset)
