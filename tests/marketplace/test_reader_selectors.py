"""What a signed-in product page shows for its reader, read by statements compiled once
per process (core.statements): every reader and product gets their own answer, one query
each."""

import pytest
from oscar.core.loading import get_model

from marketplace.catalogue.selectors import review_permitted, wishlists_with_product
from tests.factories import UserFactory
from tests.marketplace.signed_in import RichCatalogue

pytestmark = pytest.mark.django_db

ProductReview = get_model("reviews", "ProductReview")
WishList = get_model("wishlists", "WishList")


def test_each_reader_gets_their_own_wish_lists_marked_for_the_product(
    django_assert_num_queries,
):
    catalogue = RichCatalogue()
    catalogue.grow_to(2)
    product, other = catalogue.products
    reader, stranger = UserFactory(), UserFactory()
    gifts = WishList.objects.create(owner=reader, name="年货清单")
    gifts.add(product)
    office = WishList.objects.create(owner=reader, name="工会慰问")
    office.add(other)
    WishList.objects.create(owner=stranger, name="别人的清单").add(product)

    with django_assert_num_queries(1):
        found = wishlists_with_product(user=reader, product_id=product.pk)
        names = [(w.name, w.key, w.has_product) for w in found]

    assert names == [("年货清单", gifts.key, True), ("工会慰问", office.key, False)]
    assert found[0].get_absolute_url() == gifts.get_absolute_url()
    assert [w.has_product for w in wishlists_with_product(user=reader, product_id=other.pk)] == [
        False,
        True,
    ]
    assert [w.name for w in wishlists_with_product(user=stranger, product_id=other.pk)] == [
        "别人的清单"
    ]


def test_a_reader_may_review_a_product_until_they_have_reviewed_it():
    catalogue = RichCatalogue()
    catalogue.grow_to(2)
    product, other = catalogue.products
    reader, neighbour = UserFactory(), UserFactory()
    assert review_permitted(user=reader, product_id=product.pk)

    ProductReview.objects.create(product=product, user=reader, score=5, title="好", body="好吃")

    assert not review_permitted(user=reader, product_id=product.pk)
    assert review_permitted(user=reader, product_id=other.pk)
    assert review_permitted(user=neighbour, product_id=product.pk)
