"""Workspace pages run a constant number of queries whatever the number of orders."""

import pytest
from django.urls import reverse
from django.utils import timezone

from marketplace.invoicing.services import invoice_payment_record
from tests.factories import PASSWORD, OrganisationFactory, UserFactory
from tests.marketplace.organisations.builders import invoiced_order, member, tea_and_honey

pytestmark = pytest.mark.django_db

PAGES = ("dashboard", "orders", "invoices", "statement", "requests")


def organisation_with(orders: int):
    organisation = OrganisationFactory()
    buyer = member(organisation)
    finance = UserFactory(is_superuser=True)
    tea, honey = tea_and_honey()
    for index in range(orders):
        invoice = invoiced_order(organisation, buyer, [(tea, 1), (honey, 1)])
        invoice_payment_record(
            invoice=invoice,
            actor=finance,
            amount=invoice.amount,
            bank_reference=f"Q{index}",
            booked_on=timezone.localdate(),
        )
    return organisation, buyer


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("orders", [1, 4])
def test_page_queries_do_not_grow_with_orders(client, django_assert_max_num_queries, page, orders):
    organisation, buyer = organisation_with(orders)
    client.login(email=buyer.email, password=PASSWORD)
    url = reverse(f"organisations:{page}", kwargs={"pk": organisation.pk})

    with django_assert_max_num_queries(20):
        response = client.get(url)

    assert response.status_code == 200
