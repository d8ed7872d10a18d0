"""Buyer organisations are eastern units whose members buy on their behalf."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from marketplace.organisations.models import Membership
from producers.models import Region
from tests.factories import (
    CityFactory,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def errors_of(instance) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as excinfo:
        instance.full_clean()
    return excinfo.value.message_dict


def test_eastern_organisation_is_valid():
    OrganisationFactory.build(home_region=CityFactory(side=Region.Side.EAST)).full_clean()


def test_organisation_must_be_in_the_east():
    organisation = OrganisationFactory.build(home_region=CityFactory(side=Region.Side.WEST))

    assert errors_of(organisation)["home_region"] == ["采购单位应位于东部协作地区。"]


def test_organisation_with_an_invalid_credit_code_is_rejected():
    organisation = OrganisationFactory.build(
        home_region=CityFactory(side=Region.Side.EAST), credit_code="113301000000000001"
    )

    assert "credit_code" in errors_of(organisation)


@pytest.mark.parametrize("share", ["-0.001", "1.001"])
def test_reserved_share_is_a_fraction_between_zero_and_one(share):
    organisation = OrganisationFactory.build(
        home_region=CityFactory(side=Region.Side.EAST), reserved_share=share
    )

    assert "reserved_share" in errors_of(organisation)


def test_new_membership_waits_for_approval():
    membership = MembershipFactory()

    assert membership.state == Membership.State.REQUESTED


def test_member_appears_among_the_organisation_members():
    membership = MembershipFactory()

    assert list(membership.organisation.members.all()) == [membership.user]
    assert list(membership.user.organisations.all()) == [membership.organisation]


def test_user_has_at_most_one_membership_per_organisation():
    membership = MembershipFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        MembershipFactory(
            organisation=membership.organisation,
            user=membership.user,
            role=Membership.Role.APPROVER,
        )


def test_user_may_belong_to_several_organisations():
    user = UserFactory()

    MembershipFactory(user=user)
    MembershipFactory(user=user)

    assert user.organisations.count() == 2
