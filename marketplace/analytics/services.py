"""Oscar's analytics counters, written by the worker (receivers.py says why)."""

import logging

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from oscar.apps.analytics import receivers as oscar_receivers
from oscar.core.loading import get_model

Order = get_model("order", "Order")
User = get_user_model()
ProductRecord = get_model("analytics", "ProductRecord")
UserProductView = get_model("analytics", "UserProductView")
UserRecord = get_model("analytics", "UserRecord")
UserSearch = get_model("analytics", "UserSearch")

logger = logging.getLogger(__name__)

# Oscar's UserSearch.query is a CharField(max_length=255).
QUERY_MAX_LENGTH = 255


def _counter_add(model, field: str, **row) -> None:
    """Add one to a counter row, creating it at one (Oscar's _update_counter)."""
    if model.objects.filter(**row).update(**{field: F(field) + 1}):
        return
    try:
        with transaction.atomic():
            model.objects.create(**row, **{field: 1})
    except IntegrityError:  # created by another worker meanwhile
        model.objects.filter(**row).update(**{field: F(field) + 1})


def product_view_record(*, product_id: int, user_id: int | None = None) -> None:
    """One view of a product: its ProductRecord.num_views, and for a signed-in viewer their
    UserRecord.num_product_views and a UserProductView row. A product or account deleted
    since the view is skipped."""
    try:
        with transaction.atomic():
            _counter_add(ProductRecord, "num_views", product_id=product_id)
            if user_id is not None:
                _counter_add(UserRecord, "num_product_views", user_id=user_id)
                UserProductView.objects.create(product_id=product_id, user_id=user_id)
    except IntegrityError:
        logger.info("product view of %s by %s not recorded: gone", product_id, user_id)


def user_search_record(*, user_id: int, query: str) -> None:
    """One search by a signed-in buyer (Oscar's UserSearch row)."""
    try:
        with transaction.atomic():
            UserSearch.objects.create(user_id=user_id, query=query[:QUERY_MAX_LENGTH])
    except IntegrityError:
        logger.info("search by %s not recorded: account gone", user_id)


def basket_addition_record(*, product_id: int, user_id: int | None = None) -> None:
    """A product put in a basket: its ProductRecord.num_basket_additions, and for a
    signed-in buyer their UserRecord.num_basket_additions."""
    try:
        with transaction.atomic():
            _counter_add(ProductRecord, "num_basket_additions", product_id=product_id)
            if user_id is not None:
                _counter_add(UserRecord, "num_basket_additions", user_id=user_id)
    except IntegrityError:
        logger.info("basket addition of %s by %s not recorded: gone", product_id, user_id)


def order_placement_record(*, order_id: int, user_id: int | None = None) -> None:
    """An order placed: each product's num_purchases and the buyer's order counters and
    total spent, as Oscar's order_placed receiver writes them."""
    order = Order.objects.filter(pk=order_id).select_related("user").first()
    if order is None:
        return
    with transaction.atomic():
        oscar_receivers._record_products_in_order(order)
        if user_id is None:
            return
        # The account that placed it (the order's own, in this store), as Oscar counts it.
        user = order.user if order.user_id == user_id else User.objects.filter(pk=user_id).first()
        if user is not None:
            oscar_receivers._record_user_order(user, order)
