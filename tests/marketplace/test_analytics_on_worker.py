"""Oscar's analytics on a worker (marketplace.analytics): a signed-in buyer's product view,
search, basket addition and placed order write no counter in the request; the task they
enqueue on commit counts them."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.core.loading import get_model

from marketplace.order.placement import order_create_from_basket
from tests.marketplace.organisations.builders import ADDRESS
from tests.marketplace.signed_in import RichCatalogue, basket_add, consumer, sign_in, writes_in
from tests.store_factories import basket_with, tea_and_honey

pytestmark = pytest.mark.django_db

ProductRecord = get_model("analytics", "ProductRecord")
UserProductView = get_model("analytics", "UserProductView")
UserRecord = get_model("analytics", "UserRecord")
UserSearch = get_model("analytics", "UserSearch")


def counter_writes(queries) -> list[str]:
    return [sql for sql in writes_in(queries) if re.search(r'(INTO|UPDATE) "analytics_', sql)]


def test_a_product_view_writes_nothing_and_a_task_counts_it_afterwards(
    client, django_capture_on_commit_callbacks
):
    # Given a signed-in consumer with a basket, who has opened the product page before
    catalogue = RichCatalogue()
    catalogue.grow_to(3)
    user = consumer()
    sign_in(client, user)
    product = catalogue.products[0]
    basket_add(client, catalogue.products[1])
    with django_capture_on_commit_callbacks(execute=True):
        client.get(product.get_absolute_url())

    # When they open it again
    with django_capture_on_commit_callbacks(execute=True) as enqueued:
        with CaptureQueriesContext(connection) as during_request:
            response = client.get(product.get_absolute_url())

    # Then the request wrote nothing, and the task it enqueued counted the view afterwards
    assert response.status_code == 200
    assert writes_in(during_request) == []
    assert len(enqueued) == 1
    assert ProductRecord.objects.get(product=product).num_views == 2
    assert UserRecord.objects.get(user=user).num_product_views == 2
    assert UserProductView.objects.filter(user=user, product=product).count() == 2


def test_without_the_task_the_view_is_not_counted(client):
    # A view whose transaction never commits enqueues nothing: the request itself counts none
    catalogue = RichCatalogue()
    catalogue.grow_to(1)
    sign_in(client, consumer())

    assert client.get(catalogue.products[0].get_absolute_url()).status_code == 200

    assert not ProductRecord.objects.exists()
    assert not UserProductView.objects.exists()


def test_a_signed_in_search_is_recorded_by_a_task(client, django_capture_on_commit_callbacks):
    # Given a signed-in consumer who has searched before (its task never ran: the
    # thumbnails of the results are made on the first page, as on a running site)
    RichCatalogue().grow_to(1)
    user = consumer()
    sign_in(client, user)
    client.get(reverse("search:search"), {"q": "苦荞"})

    # When they search again, the request writes nothing and the task records the search
    with django_capture_on_commit_callbacks(execute=True):
        with CaptureQueriesContext(connection) as during_request:
            client.get(reverse("search:search"), {"q": "苦荞"})

    assert writes_in(during_request) == []
    assert list(UserSearch.objects.filter(user=user).values_list("query", flat=True)) == ["苦荞"]


def test_a_basket_addition_writes_no_counter_and_a_task_counts_it(
    client, django_capture_on_commit_callbacks
):
    # Given a signed-in consumer
    catalogue = RichCatalogue()
    catalogue.grow_to(1)
    user = consumer()
    sign_in(client, user)
    product = catalogue.products[0]

    # When they put the product in their basket
    with django_capture_on_commit_callbacks(execute=True) as enqueued:
        with CaptureQueriesContext(connection) as during_request:
            basket_add(client, product)

    # Then the request wrote no counter; the task it enqueued counted the addition after
    assert counter_writes(during_request) == []
    assert len(enqueued) == 1
    assert ProductRecord.objects.get(product=product).num_basket_additions == 1
    assert UserRecord.objects.get(user=user).num_basket_additions == 1


def test_a_placed_order_is_counted_by_a_task_after_it_commits(
    django_capture_on_commit_callbacks,
):
    # Given a consumer's basket of two teas and a honey
    tea, honey = tea_and_honey()
    user = consumer()
    basket = basket_with(user, [(tea, 2), (honey, 1)])

    # When the order is placed, its transaction writing no counter
    with django_capture_on_commit_callbacks(execute=True):
        with CaptureQueriesContext(connection) as placing:
            order = order_create_from_basket(
                basket=basket,
                user=user,
                shipping_address=ADDRESS,
                shipping_method_code="free-shipping",
                order_number="DX-ANALYTICS-1",
            )
        assert counter_writes(placing) == []

    # Then the task counted the products bought and the buyer's order as Oscar does
    assert ProductRecord.objects.get(product=tea).num_purchases == 2
    assert ProductRecord.objects.get(product=honey).num_purchases == 1
    record = UserRecord.objects.get(user=user)
    assert (record.num_orders, record.num_order_lines, record.num_order_items) == (1, 2, 3)
    assert record.total_spent == order.total_incl_tax
