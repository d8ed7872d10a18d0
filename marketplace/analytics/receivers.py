"""Product views and searches are counted by a Celery task, not in the page's request.

Oscar's receivers write three rows for each product a signed-in buyer opens (the product's
num_views UPDATE, the buyer's UserRecord UPDATE, a UserProductView INSERT) and one per
search, inside the request: every signed-in page view was a write transaction. Here the
page enqueues one task per view (delay_on_commit, ids only) and a worker writes the same
rows, in one transaction.

Why a task per view rather than counters batched in Redis and flushed by beat: the counts
then need no shared cache (the demo and a deployment without REDIS_CACHE_URL keep the cache
in each process, where a beat flush would never see the web's counters), a view is never
lost when a cache entry is evicted, and UserProductView keeps one row per view with its
time, as Oscar's reports read it. The price is one broker message per view (a Redis LPUSH,
no SQL) and the worker's three single-row writes; the broker's at-least-once delivery may
count a view twice after a worker crash, which popularity counters can bear.

Basket additions and orders placed go the same way (issue 25: a checkout's requests wrote
three counter rows for the addition and four statements for the order, on the customer's
time): the counters are the same rows Oscar writes, a worker's moment later."""

from django.dispatch import receiver
from oscar.apps.analytics import receivers as oscar_receivers
from oscar.apps.basket.signals import basket_addition
from oscar.apps.catalogue.signals import product_viewed
from oscar.apps.order.signals import order_placed
from oscar.apps.search.signals import user_search

from . import tasks

product_viewed.disconnect(oscar_receivers.receive_product_view)
user_search.disconnect(oscar_receivers.receive_product_search)
basket_addition.disconnect(oscar_receivers.receive_basket_addition)
order_placed.disconnect(oscar_receivers.receive_order_placed)


@receiver(product_viewed, dispatch_uid="analytics.product_view_later")
def on_product_viewed(sender, product, user, **kwargs):
    if kwargs.get("raw", False):
        return
    # product.pk only: the storefront's product page may send a product it never loads.
    user_id = user.pk if user is not None and user.is_authenticated else None
    tasks.product_view_record_task.delay_on_commit(product.pk, user_id)


@receiver(user_search, dispatch_uid="analytics.search_later")
def on_user_search(sender, query, user, **kwargs):
    if kwargs.get("raw", False) or user is None or not user.is_authenticated:
        return
    tasks.user_search_record_task.delay_on_commit(user.pk, query)


@receiver(basket_addition, dispatch_uid="analytics.basket_addition_later")
def on_basket_addition(sender, product, user, **kwargs):
    if kwargs.get("raw", False):
        return
    user_id = user.pk if user is not None and user.is_authenticated else None
    tasks.basket_addition_record_task.delay_on_commit(product.pk, user_id)


@receiver(order_placed, dispatch_uid="analytics.order_placed_later")
def on_order_placed(sender, order, user, **kwargs):
    if kwargs.get("raw", False):
        return
    user_id = user.pk if user is not None and user.is_authenticated else None
    tasks.order_placement_record_task.delay_on_commit(order.pk, user_id)
