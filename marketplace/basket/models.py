from oscar.apps.basket.abstract_models import AbstractBasket


class Basket(AbstractBasket):
    def product_quantity(self, product):
        """Oscar's answer (the units of a product across the basket's lines), from the
        lines when they are loaded: the add-to-basket form asks it right after the request
        loaded them. After a change Oscar drops its lines (self._lines) and this asks the
        database again; code that changes lines other than through the basket's own methods
        must drop them too (basket.reset_offer_applications()) before asking."""
        lines = self._lines
        if self.id is not None and lines is not None and lines._result_cache is not None:
            return sum(line.quantity for line in lines if line.product_id == product.id)
        return super().product_quantity(product)


from oscar.apps.basket.models import *  # noqa: E402,F403  Oscar's remaining basket models
