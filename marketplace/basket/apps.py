import oscar.apps.basket.apps as apps


class BasketConfig(apps.BasketConfig):
    """Oscar's basket; adding a product asks less (views.BasketAddView)."""

    name = "marketplace.basket"
