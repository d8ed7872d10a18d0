import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from marketplace.users.roles import CONSUMER, EVALUATOR
from tests.factories import CountyFactory, UserFactory
from tests.store_factories import (
    certified_cooperative,
    cooperative_staff_create,
    county_officer_create,
    product_create,
)

ProductCertificate = get_model("catalogue", "ProductCertificate")
State = ProductCertificate.State
pytestmark = pytest.mark.django_db


@pytest.fixture
def pending():
    product = product_create(certificate_state=State.PENDING)
    return product.certificates.get()


def _detail(certificate):
    return reverse("catalogue-certification:county-detail", args=[certificate.pk])


def _decide(certificate, decision):
    return reverse("catalogue-certification:county-decide", args=[certificate.pk, decision])


def test_officer_sees_the_pending_request_of_their_county(client, pending):
    client.force_login(county_officer_create(county=pending.product.cooperative.county))

    response = client.get(reverse("catalogue-certification:county-list"))

    assert list(response.context["certificates"]) == [pending]


def test_officer_of_another_county_gets_404_on_the_certificate(client, pending):
    client.force_login(county_officer_create(county=CountyFactory()))

    assert client.get(_detail(pending)).status_code == 404
    response = client.post(_decide(pending, "reject"), {"reason": "越权"})
    assert response.status_code == 404
    pending.refresh_from_db()
    assert pending.state == State.PENDING


@pytest.mark.parametrize("role", [CONSUMER, EVALUATOR])
def test_other_roles_are_refused_the_county_screens(client, pending, role):
    client.force_login(UserFactory(roles=[role]))

    assert client.get(reverse("catalogue-certification:county-list")).status_code == 403
    assert client.post(_decide(pending, "issue"), {}).status_code == 403


def test_anonymous_is_sent_to_login(client, pending):
    response = client.get(_detail(pending))

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_officer_issues_a_certificate_through_the_form(client, pending):
    client.force_login(county_officer_create(county=pending.product.cooperative.county))

    response = client.post(
        _decide(pending, "issue"),
        {
            "number": "513431-2026-009",
            "valid_from": "2026-01-01",
            "valid_to": "2027-12-31",
            "households_involved": "41",
        },
    )

    assert response.status_code == 302
    pending.refresh_from_db()
    assert (pending.state, pending.number, pending.households_involved) == (
        State.CERTIFIED,
        "513431-2026-009",
        41,
    )


def test_invalid_issue_form_shows_the_errors_and_changes_nothing(client, pending):
    client.force_login(county_officer_create(county=pending.product.cooperative.county))

    response = client.post(
        _decide(pending, "issue"),
        {
            "number": "X",
            "valid_from": "2027-01-01",
            "valid_to": "2026-01-01",
            "households_involved": "3",
        },
    )

    assert response.status_code == 400
    assert "有效期截止日不能早于起始日" in response.content.decode()
    pending.refresh_from_db()
    assert pending.state == State.PENDING


def test_rejecting_without_reason_shows_a_message(client, pending):
    client.force_login(county_officer_create(county=pending.product.cooperative.county))

    response = client.post(_decide(pending, "reject"), {"reason": ""}, follow=True)

    assert "请填写理由" in response.content.decode()
    pending.refresh_from_db()
    assert pending.state == State.PENDING


def test_decisions_require_csrf(pending):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(county_officer_create(county=pending.product.cooperative.county))

    assert client.post(_decide(pending, "reject"), {"reason": "x"}).status_code == 403


def test_cooperative_sees_only_its_own_products(client):
    own = product_create(title="自家产品", certificate_state=None)
    product_create(title="别家产品", certificate_state=None)
    client.force_login(cooperative_staff_create(cooperative=own.cooperative))

    response = client.get(reverse("catalogue-certification:cooperative-products"))

    assert list(response.context["products"]) == [own]


def test_cooperative_cannot_request_for_another_cooperatives_product(client):
    own = product_create(certificate_state=None)
    other = product_create(certificate_state=None)
    client.force_login(cooperative_staff_create(cooperative=own.cooperative))

    response = client.post(reverse("catalogue-certification:cooperative-request", args=[other.pk]))

    assert response.status_code == 404
    assert not other.certificates.exists()


def test_cooperative_requests_certification_from_its_product_list(client):
    own = product_create(certificate_state=None)
    client.force_login(cooperative_staff_create(cooperative=own.cooperative))

    client.post(reverse("catalogue-certification:cooperative-request", args=[own.pk]))

    assert own.certificates.get().state == State.PENDING


def test_county_certificate_list_queries_do_not_grow_with_requests(
    client, django_assert_max_num_queries
):
    first = product_create(certificate_state=State.PENDING)
    county = first.cooperative.county
    client.force_login(county_officer_create(county=county))
    url = reverse("catalogue-certification:county-list")
    with django_assert_max_num_queries(20) as few:
        client.get(url)

    for _ in range(15):
        neighbour = certified_cooperative(village=first.cooperative.village)
        product_create(certificate_state=State.PENDING, cooperative=neighbour)

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert len(response.context["certificates"]) == 16
