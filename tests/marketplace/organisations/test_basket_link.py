"""From the basket, a buyer of an organisation can order in its name; others see only the
card checkout."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD, OrganisationFactory, UserFactory

from .builders import member, tea_and_honey

pytestmark = pytest.mark.django_db

ORGANISATION_CHECKOUT = reverse("organisations:checkout")


def basket_page(client, user):
    tea, _honey = tea_and_honey()
    client.login(username=user.email, password=PASSWORD)
    client.post(reverse("basket:add", kwargs={"pk": tea.pk}), {"quantity": 1})
    return client.get(reverse("basket:summary")).content.decode()


def test_a_buyer_of_an_organisation_is_offered_the_organisation_checkout(client):
    page = basket_page(client, member(OrganisationFactory()))

    assert ORGANISATION_CHECKOUT in page
    assert reverse("checkout:index") in page


def test_a_consumer_sees_only_the_card_checkout(client):
    page = basket_page(client, UserFactory())

    assert ORGANISATION_CHECKOUT not in page
    assert reverse("checkout:index") in page
