"""A user asks to join an organisation; its admin or a platform admin decides."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from marketplace.organisations.models import Membership
from marketplace.organisations.services import (
    MembershipError,
    membership_decide,
    membership_request,
)
from tests.factories import PASSWORD, OrganisationFactory, UserFactory

from .builders import member

pytestmark = pytest.mark.django_db


def test_join_request_waits_for_the_organisation_admin():
    organisation = OrganisationFactory()
    user = UserFactory()

    membership = membership_request(
        user=user, organisation=organisation, role=Membership.Role.BUYER
    )

    assert membership.state == Membership.State.REQUESTED


def test_organisation_admin_approves_a_join_request():
    organisation = OrganisationFactory()
    admin = member(organisation, Membership.Role.ADMIN)
    request = membership_request(
        user=UserFactory(), organisation=organisation, role=Membership.Role.APPROVER
    )

    membership = membership_decide(membership=request, actor=admin, approve=True)

    assert membership.state == Membership.State.APPROVED
    assert membership.decided_by == admin


def test_platform_admin_rejects_a_join_request():
    organisation = OrganisationFactory()
    request = membership_request(
        user=UserFactory(), organisation=organisation, role=Membership.Role.BUYER
    )

    membership = membership_decide(
        membership=request, actor=UserFactory(is_superuser=True), approve=False
    )

    assert membership.state == Membership.State.REJECTED


@pytest.mark.parametrize("role", [Membership.Role.BUYER, Membership.Role.APPROVER])
def test_members_who_are_not_admins_cannot_decide(role):
    organisation = OrganisationFactory()
    request = membership_request(
        user=UserFactory(), organisation=organisation, role=Membership.Role.BUYER
    )

    with pytest.raises(PermissionDenied):
        membership_decide(membership=request, actor=member(organisation, role), approve=True)

    request.refresh_from_db()
    assert request.state == Membership.State.REQUESTED


def test_admin_of_another_organisation_cannot_decide():
    request = membership_request(
        user=UserFactory(), organisation=OrganisationFactory(), role=Membership.Role.BUYER
    )

    with pytest.raises(PermissionDenied):
        membership_decide(
            membership=request,
            actor=member(OrganisationFactory(), Membership.Role.ADMIN),
            approve=True,
        )


def test_a_pending_request_cannot_be_made_twice_but_a_rejected_one_can():
    organisation = OrganisationFactory()
    user = UserFactory()
    request = membership_request(user=user, organisation=organisation, role=Membership.Role.BUYER)
    with pytest.raises(MembershipError):
        membership_request(user=user, organisation=organisation, role=Membership.Role.BUYER)

    membership_decide(membership=request, actor=UserFactory(is_superuser=True), approve=False)
    again = membership_request(user=user, organisation=organisation, role=Membership.Role.BUYER)

    assert again.pk == request.pk
    assert again.state == Membership.State.REQUESTED


def test_a_user_asks_to_join_by_credit_code_in_the_workspace(client):
    organisation = OrganisationFactory()
    user = UserFactory()
    client.login(email=user.email, password=PASSWORD)

    response = client.post(
        reverse("organisations:home"),
        {"credit_code": organisation.credit_code, "role": Membership.Role.BUYER},
    )

    assert response.status_code == 302
    assert Membership.objects.get(user=user, organisation=organisation).state == "requested"


def test_an_unknown_credit_code_is_refused_with_a_message(client):
    user = UserFactory()
    client.login(email=user.email, password=PASSWORD)

    response = client.post(
        reverse("organisations:home"), {"credit_code": "91330100MA2XXXXXXX", "role": "buyer"}
    )

    assert "找不到该统一社会信用代码对应的单位。" in response.content.decode()
    assert not Membership.objects.filter(user=user).exists()


def test_admin_approves_in_the_members_page(client):
    organisation = OrganisationFactory()
    admin = member(organisation, Membership.Role.ADMIN)
    request = membership_request(
        user=UserFactory(), organisation=organisation, role=Membership.Role.BUYER
    )
    client.login(email=admin.email, password=PASSWORD)

    client.post(
        reverse(
            "organisations:membership-decide",
            kwargs={"pk": organisation.pk, "membership_id": request.pk},
        ),
        {"decision": "approve"},
    )

    request.refresh_from_db()
    assert request.state == Membership.State.APPROVED


def test_a_pending_member_does_not_see_the_workspace(client):
    organisation = OrganisationFactory()
    user = UserFactory()
    membership_request(user=user, organisation=organisation, role=Membership.Role.BUYER)
    client.login(email=user.email, password=PASSWORD)

    response = client.get(reverse("organisations:dashboard", kwargs={"pk": organisation.pk}))

    assert response.status_code == 404
