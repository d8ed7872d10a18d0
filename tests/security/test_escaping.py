"""Text that users type is shown as text: HTML and script in names, titles, notes and reasons
are escaped on every page that shows them; rich product descriptions are cleaned."""

import datetime

import pytest
from django.urls import reverse

from marketplace.users import roles
from producers.models import BenefitScheme, CooperativeDecision, Household
from tests.factories import (
    BenefitLinkFactory,
    CooperativeDecisionFactory,
    CooperativeDocumentFactory,
    CooperativeFactory,
    CooperativeStaffFactory,
    CountyOfficerFactory,
    HouseholdFactory,
    TownshipFactory,
    VillageFactory,
)
from tests.store_factories import product_create

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("东西")</script>'
IMAGE = "<img src=x onerror=alert(1)>"
PAYLOAD = f"火普村{SCRIPT}{IMAGE}"


def assert_shown_as_text(response) -> None:
    page = response.content.decode()
    assert response.status_code == 200
    assert SCRIPT not in page and IMAGE not in page
    assert "&lt;script&gt;alert(&quot;东西&quot;)&lt;/script&gt;" in page


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_MEDIA_ROOT = tmp_path


@pytest.fixture
def cooperative():
    return CooperativeFactory(legal_name=PAYLOAD, description=PAYLOAD)


@pytest.fixture
def officer(cooperative):
    return CountyOfficerFactory(county=cooperative.county, user__roles=[roles.COUNTY_OFFICER]).user


@pytest.fixture
def staff(cooperative):
    return CooperativeStaffFactory(cooperative=cooperative)


def test_product_title_is_escaped_in_the_store_listing(client):
    product_create(title=PAYLOAD)

    assert_shown_as_text(client.get(reverse("catalogue:index")))


def test_product_title_is_escaped_on_the_product_page_and_in_the_basket(client):
    product = product_create(title=PAYLOAD)

    assert_shown_as_text(client.get(product.get_absolute_url()))
    client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})
    assert_shown_as_text(client.get(reverse("basket:summary")))


def test_product_search_echoes_the_query_as_text(client):
    assert_shown_as_text(client.get(reverse("search:search"), {"q": PAYLOAD}))


def test_rich_product_description_keeps_its_formatting_but_loses_scripts(client):
    # Given a description written in a cooperative's dashboard with formatting and an attack
    product = product_create(title="昭觉苦荞茶")
    product.description = (
        '<p>高山<b>苦荞</b></p><script>alert(1)</script><img src="x" onerror="alert(2)">'
        '<a href="javascript:alert(3)">详情</a>'
    )
    product.save()

    page = client.get(product.get_absolute_url()).content.decode()

    assert "<p>高山<b>苦荞</b></p>" in page
    assert "<script>alert(1)" not in page
    assert "onerror" not in page
    assert "javascript:alert" not in page


def test_cooperative_name_and_profile_are_escaped_for_the_county_office(
    client, officer, cooperative
):
    client.force_login(officer)

    assert_shown_as_text(client.get(reverse("producers:county-cooperatives")))
    assert_shown_as_text(
        client.get(reverse("producers:county-cooperative-detail", args=[cooperative.pk]))
    )


def test_evidence_title_is_escaped_for_the_county_office(client, officer, cooperative):
    CooperativeDocumentFactory(cooperative=cooperative, title=PAYLOAD[:128])
    client.force_login(officer)

    assert_shown_as_text(
        client.get(reverse("producers:county-cooperative-detail", args=[cooperative.pk]))
    )


def test_household_head_name_is_escaped_in_the_register(client, officer, cooperative):
    village = VillageFactory(parent=TownshipFactory(parent=cooperative.county))
    household = HouseholdFactory(village=village, head_name=PAYLOAD)
    assert Household.objects.get(pk=household.pk).county_id == cooperative.county_id
    client.force_login(officer)

    assert_shown_as_text(client.get(reverse("producers:county-households")))
    assert_shown_as_text(
        client.get(reverse("producers:county-household-detail", args=[household.pk]))
    )


def test_linked_cooperative_name_is_escaped_in_the_household_register(client, officer, cooperative):
    link = BenefitLinkFactory(cooperative=cooperative)
    client.force_login(officer)

    assert_shown_as_text(
        client.get(reverse("producers:county-household-detail", args=[link.household_id]))
    )


def test_benefit_scheme_note_is_escaped_for_the_cooperative(client, staff, cooperative):
    scheme = BenefitScheme.objects.create(
        cooperative=cooperative, effective_from=datetime.date(2024, 1, 1), note=PAYLOAD
    )
    client.force_login(staff)

    assert_shown_as_text(
        client.get(reverse("producers:cooperative-scheme-detail", args=[scheme.pk]))
    )


def test_county_decision_reason_is_escaped_for_the_cooperative(client, staff, cooperative):
    CooperativeDecisionFactory(
        cooperative=cooperative,
        action=CooperativeDecision.Action.REQUEST_CHANGES,
        from_state="applied",
        to_state="changes_requested",
        reason=PAYLOAD,
    )
    cooperative.state = "changes_requested"
    cooperative.save()
    client.force_login(staff)

    assert_shown_as_text(client.get(reverse("producers:cooperative-certification")))
