from oscar.apps.basket import forms


class AddToBasketForm(forms.AddToBasketForm):
    def cleaned_options(self):
        # Oscar lists the product's options even for a product without any (most here):
        # the product's option flags already say so (catalogue.selectors.products_for_basket).
        if not self.parent_product.has_options:
            return []
        return super().cleaned_options()
