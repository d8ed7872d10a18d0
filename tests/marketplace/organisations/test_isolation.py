"""A member of organisation A never sees organisation B's workspace, orders, invoices or
statements (404), and members may only do what their role allows (403)."""

import pytest
from django.urls import reverse

from marketplace.organisations.models import Membership
from tests.factories import PASSWORD, OrganisationFactory, UserFactory

from .builders import invoiced_order, member, tea_and_honey

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation_b_invoice():
    organisation = OrganisationFactory()
    tea, _honey = tea_and_honey()
    return invoiced_order(organisation, member(organisation), [(tea, 1)])


def b_urls(invoice):
    pk = invoice.organisation_id
    return [
        reverse("organisations:dashboard", kwargs={"pk": pk}),
        reverse("organisations:orders", kwargs={"pk": pk}),
        reverse("organisations:order", kwargs={"pk": pk, "number": invoice.order.number}),
        reverse("organisations:invoices", kwargs={"pk": pk}),
        reverse("organisations:invoice-pdf", kwargs={"pk": pk, "number": invoice.number}),
        reverse("organisations:statement", kwargs={"pk": pk}),
        reverse("organisations:statement-export", kwargs={"pk": pk, "format": "pdf"}),
        reverse("organisations:statement-export", kwargs={"pk": pk, "format": "xlsx"}),
        reverse("organisations:requests", kwargs={"pk": pk}),
    ]


@pytest.mark.parametrize("role", list(Membership.Role))
def test_member_of_a_cannot_see_anything_of_b(client, organisation_b_invoice, role):
    a_member = member(OrganisationFactory(), role)
    client.login(email=a_member.email, password=PASSWORD)

    for url in b_urls(organisation_b_invoice):
        assert client.get(url).status_code == 404, url


def test_a_order_url_with_b_order_number_is_not_found(client, organisation_b_invoice):
    organisation_a = OrganisationFactory()
    a_member = member(organisation_a)
    client.login(email=a_member.email, password=PASSWORD)
    number = organisation_b_invoice.order.number

    assert (
        client.get(
            reverse("organisations:order", kwargs={"pk": organisation_a.pk, "number": number})
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse(
                "organisations:invoice-pdf",
                kwargs={"pk": organisation_a.pk, "number": organisation_b_invoice.number},
            )
        ).status_code
        == 404
    )


def test_member_of_b_sees_b(client, organisation_b_invoice):
    b_member = member(organisation_b_invoice.organisation)
    client.login(email=b_member.email, password=PASSWORD)

    for url in b_urls(organisation_b_invoice):
        assert client.get(url).status_code == 200, url


def test_anonymous_users_are_sent_to_login(client, organisation_b_invoice):
    response = client.get(b_urls(organisation_b_invoice)[0])

    assert response.status_code == 302
    assert "login" in response["Location"]


def test_a_buyer_cannot_manage_members_or_budgets(client):
    organisation = OrganisationFactory()
    buyer = member(organisation)
    client.login(email=buyer.email, password=PASSWORD)

    assert (
        client.get(reverse("organisations:members", kwargs={"pk": organisation.pk})).status_code
        == 403
    )
    assert (
        client.get(reverse("organisations:budget", kwargs={"pk": organisation.pk})).status_code
        == 403
    )


def test_finance_pages_are_for_platform_finance_only(client):
    buyer = member(OrganisationFactory(), Membership.Role.ADMIN)
    client.login(email=buyer.email, password=PASSWORD)

    assert client.get(reverse("organisations:finance-invoices")).status_code == 403
    assert client.get(reverse("organisations:finance-import")).status_code == 403


def test_platform_admin_sees_any_organisation(client, organisation_b_invoice):
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.login(email=admin.email, password=PASSWORD)

    assert client.get(b_urls(organisation_b_invoice)[1]).status_code == 200
