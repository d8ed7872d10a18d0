from django.shortcuts import get_object_or_404
from oscar.apps.basket import views

from marketplace.catalogue.selectors import products_for_basket


class BasketAddView(views.BasketAddView):
    def post(self, request, *args, **kwargs):
        # Oscar's view, with the product loaded with what the form and the strategy read
        # of it (selectors.products_for_basket) instead of alone.
        self.product = get_object_or_404(products_for_basket(), pk=kwargs["pk"])
        return super(views.BasketAddView, self).post(request, *args, **kwargs)
