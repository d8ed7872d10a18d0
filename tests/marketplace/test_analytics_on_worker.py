"""Oscar's analytics on a worker (marketplace.analytics): a signed-in buyer's product view
and search write nothing in the request; the task they enqueue on commit counts them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.core.loading import get_model

from tests.marketplace.signed_in import RichCatalogue, basket_add, consumer, sign_in, writes_in

pytestmark = pytest.mark.django_db

ProductRecord = get_model("analytics", "ProductRecord")
UserProductView = get_model("analytics", "UserProductView")
UserRecord = get_model("analytics", "UserRecord")
UserSearch = get_model("analytics", "UserSearch")


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
