"""What one institutional checkout costs the database (issue 25): an organisation's buying
member buys one product over HTTP, from adding it to the basket to the organisation's order
page (basket → checkout page → checkout form → order page), below the approval threshold so
the order is placed at once, with Celery sending tasks to a broker as production does."""

from decimal import Decimal

import pytest
from django.core.signals import request_started
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.core.loading import get_model

from tests.factories import OrganisationFactory
from tests.marketplace.checkout.addresses import CHINESE_ADDRESS
from tests.marketplace.checkout.test_checkout_cost import (  # noqa: F401  the broker fixture
    WRITES,
    Requests,
    published,
)
from tests.marketplace.organisations.builders import member, tea_and_honey
from tests.store_factories import china_country

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db

# Measured on PostgreSQL after a warm-up order (issue 25): 91 statements and 8 writes
# before the basket was loaded in one go per request and the permissions in one query.
QUERY_BUDGET = 83

# The organisation's checkout form prefixes the address fields.
ADDRESS_FORM = {
    **{f"address-{name}": value for name, value in CHINESE_ADDRESS.items()},
    "address-country": "CN",
}


def checkout_for_organisation(client, organisation, product) -> Order:
    response = client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})
    assert response.status_code == 302
    response = client.get(reverse("organisations:checkout"))
    assert response.status_code == 200
    response = client.post(
        reverse("organisations:checkout"), {"organisation": organisation.pk, **ADDRESS_FORM}
    )
    assert response.status_code == 302, response.context and response.context.get("address_form")
    response = client.get(response["Location"])
    assert response.status_code == 200
    return response


@pytest.mark.usefixtures("published")  # tasks go to a broker, as in production
def test_institutional_checkout_of_one_product_within_budget(
    settings, django_capture_on_commit_callbacks
):
    # Given an organisation that has bought the tea before (warm caches), under its threshold
    settings.ORGANISATION_APPROVAL_THRESHOLD = Decimal("200.00")
    china_country()
    tea, _honey = tea_and_honey()
    organisation = OrganisationFactory()
    earlier, buyer = member(organisation), member(organisation)
    warm = Client()
    warm.force_login(earlier)
    with django_capture_on_commit_callbacks(execute=True):
        checkout_for_organisation(warm, organisation, tea)
    client = Client()
    client.force_login(buyer)

    # When the buying member buys one tea for the organisation
    with CaptureQueriesContext(connection) as queries:
        requests = Requests(queries)
        request_started.connect(requests, weak=False)
        try:
            with django_capture_on_commit_callbacks(execute=True):
                checkout_for_organisation(client, organisation, tea)
        finally:
            request_started.disconnect(requests)

    # Then the organisation's order is placed with its unit allocated
    order = Order.objects.get(user=buyer)
    assert order.organisation == organisation
    assert [(line.product_id, line.quantity) for line in order.lines.all()] == [(tea.pk, 1)]
    assert StockRecord.objects.get(product=tea).num_allocated == 2

    # And the whole checkout stays within its budget
    statements = [q["sql"] for q in queries.captured_queries]
    report = requests.report()
    writes = sum(sql.lstrip().upper().startswith(WRITES) for sql in statements)
    assert len(statements) <= QUERY_BUDGET, f"{report}\n{writes} writes"
    assert writes <= 8, report
