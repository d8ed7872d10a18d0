from oscar.apps.basket import forms


# Oscar's SimpleAddToBasketForm (the product cards' one-click form) still subclasses Oscar's
# AddToBasketForm: it is only rendered; every add is checked by the add view's form, this one.
class AddToBasketForm(forms.AddToBasketForm):
    def cleaned_options(self):
        # Oscar lists the product's options even for a product without any (most here):
        # the product's option flags already say so (catalogue.selectors.products_for_basket).
        if not self.parent_product.has_options:
            return []
        return super().cleaned_options()
