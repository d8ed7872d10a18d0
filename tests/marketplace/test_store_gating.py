import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from tests.factories import UserFactory
from tests.store_factories import cooperative_staff_create, product_create

ProductCertificate = get_model("catalogue", "ProductCertificate")
Basket = get_model("basket", "Basket")
pytestmark = pytest.mark.django_db


def test_catalogue_lists_only_certified_products(client):
    certified = product_create(title="认定产品")
    product_create(title="待认定产品", certificate_state=ProductCertificate.State.PENDING)
    product_create(title="无认定产品", certificate_state=None)

    response = client.get(reverse("catalogue:index"))

    assert list(response.context["products"]) == [certified]


def test_product_without_valid_certificate_has_no_public_page(client):
    product = product_create(certificate_state=ProductCertificate.State.REVOKED)

    assert client.get(product.get_absolute_url()).status_code == 404


def test_cooperative_staff_still_see_their_uncertified_product(client):
    product = product_create(certificate_state=ProductCertificate.State.PENDING)
    client.force_login(cooperative_staff_create(cooperative=product.cooperative))

    assert client.get(product.get_absolute_url()).status_code == 200


def test_uncertified_product_cannot_be_added_to_the_basket(client):
    product = product_create(certificate_state=ProductCertificate.State.SUSPENDED)

    client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1}, follow=True)

    assert not Basket.objects.filter(lines__product=product).exists()


def test_checkout_rejects_a_line_whose_certificate_lapsed_after_it_was_added(client):
    # Given a basket holding a certified product
    user = UserFactory()
    client.force_login(user)
    product = product_create(title="布拖苦荞茶")
    client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 2})
    assert Basket.objects.get(owner=user).num_items == 2

    # When its certificate lapses and the buyer goes to checkout
    product.certificates.update(valid_to=timezone.localdate() - datetime.timedelta(days=1))
    response = client.get(reverse("checkout:index"), follow=True)

    # Then checkout sends them back to the basket with a clear message
    assert response.redirect_chain[-1][0] == reverse("basket:summary")
    messages = [str(m) for m in response.context["messages"]]
    assert any("布拖苦荞茶" in m and "扶贫产品认定" in m for m in messages)
