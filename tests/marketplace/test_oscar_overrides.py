"""The store copies or replaces a few of Oscar's methods step for step (the order's
placement, the basket's add, the offers applied once per request). Each is pinned to the
source of Oscar it was written against, django-oscar 4.2.1: an Oscar upgrade that changes
one fails here, naming it, so that our version is read against Oscar's new one before the
upgrade lands."""

import hashlib
import inspect

import pytest
from oscar.apps.basket.abstract_models import AbstractBasket
from oscar.apps.basket.forms import AddToBasketForm
from oscar.apps.basket.middleware import BasketMiddleware
from oscar.apps.basket.utils import BasketMessageGenerator
from oscar.apps.basket.views import BasketAddView
from oscar.apps.offer.applicator import Applicator
from oscar.apps.order.utils import OrderCreator

# Oscar's method → (its source's SHA-256, first 16 hex digits; where ours is).
PINNED = {
    OrderCreator.place_order: ("648bd5f52846d772", "marketplace/order/placement.py"),
    AbstractBasket.product_quantity: ("1dc3cca1f332bc7e", "marketplace/basket/models.py"),
    AddToBasketForm.cleaned_options: ("b6891c5e6df202c5", "marketplace/basket/forms.py"),
    BasketAddView.post: ("bc727aad02fac677", "marketplace/basket/views.py"),
    BasketMessageGenerator.apply_messages: ("6cf1f840f0828b80", "marketplace/basket/utils.py"),
    BasketMiddleware.apply_offers_to_basket: (
        "aa6723c37345a10d",
        "marketplace/checkout/middleware.py",
    ),
    Applicator.apply: ("8065eff6477da1c4", "marketplace/basket/offers.py"),
    Applicator.get_site_offers: ("d2e5b42d625c48c5", "marketplace/basket/offers.py"),
}


@pytest.mark.parametrize("method", PINNED, ids=lambda method: method.__qualname__)
def test_oscars_method_is_the_one_ours_was_written_against(method):
    pinned, ours = PINNED[method]

    digest = hashlib.sha256(inspect.getsource(method).encode()).hexdigest()[:16]

    assert digest == pinned, (
        f"Oscar's {method.__qualname__} changed: read {ours} against it, then pin {digest}"
    )
