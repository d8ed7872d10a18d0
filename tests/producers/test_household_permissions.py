"""Who reaches which household, link and scheme page: the permission matrix.

Cooperative staff see only their own cooperative's objects (another's are a 404), county
officers only their own county's households, evaluators change nothing, and anonymous
visitors are sent to log in.
"""

from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from marketplace.users import roles
from producers.models import AuditEntry, BenefitLink, BenefitScheme, Household, WageRecord
from tests.factories import (
    BenefitLinkFactory,
    BenefitSchemeFactory,
    CooperativeFactory,
    CooperativeStaffFactory,
    CountyFactory,
    CountyOfficerFactory,
    HouseholdFactory,
    TownshipFactory,
    UserFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db

NUMBER = "5134311000010123"


def url(name: str, *args) -> str:
    return reverse(f"producers:{name}", args=args)


@pytest.fixture
def world():
    """County A with a household linked to cooperative A (with a scheme); county B likewise."""
    objects = {}
    for side in ("a", "b"):
        county = CountyFactory()
        village = VillageFactory(parent=TownshipFactory(parent=county))
        cooperative = CooperativeFactory(village=village)
        household = HouseholdFactory(
            village=village, register_number=NUMBER if side == "a" else "6200000000000001"
        )
        objects[side] = {
            "county": county,
            "village": village,
            "cooperative": cooperative,
            "household": household,
            "link": BenefitLinkFactory(cooperative=cooperative, household=household),
            "scheme": BenefitSchemeFactory(cooperative=cooperative),
            "officer": CountyOfficerFactory(county=county, user__roles=[roles.COUNTY_OFFICER]).user,
            "staff": CooperativeStaffFactory(cooperative=cooperative),
        }
    return objects


def county_urls(world, side="a"):
    pk = world[side]["household"].pk
    return [
        url("county-households"),
        url("county-household-create"),
        url("county-household-import"),
        url("county-household-import-template"),
        url("county-household-detail", pk),
        url("county-household-edit", pk),
    ]


def cooperative_urls(world, side="a"):
    link, scheme, household = (world[side][key] for key in ("link", "scheme", "household"))
    return [
        url("cooperative-households"),
        url("cooperative-household-detail", household.pk),
        url("cooperative-links"),
        url("cooperative-link-create"),
        url("cooperative-link-import"),
        url("cooperative-link-import-template"),
        url("cooperative-link-detail", link.pk),
        url("cooperative-link-end", link.pk),
        url("cooperative-wage-create", link.pk),
        url("cooperative-schemes"),
        url("cooperative-scheme-create"),
        url("cooperative-scheme-detail", scheme.pk),
    ]


def post_requests(world, side="a"):
    """Every POST endpoint, with data that would succeed for the rightful user."""
    w = world[side]
    return [
        (url("county-household-reveal", w["household"].pk), {}),
        (
            url("county-household-create"),
            {
                "register_number": "5134311000019999",
                "head_name": "阿牛",
                "village": w["village"].pk,
                "size": "3",
                "status": "poor",
                "baseline_income_per_head": "3000",
                "registered_year": "2016",
            },
        ),
        (
            url("county-household-edit", w["household"].pk),
            {
                "head_name": "阿牛",
                "village": w["village"].pk,
                "size": "9",
                "status": "exited",
                "baseline_income_per_head": "3000",
                "registered_year": "2016",
            },
        ),
        (
            url("county-household-import"),
            {
                "file": SimpleUploadedFile(
                    "h.csv",
                    "建档立卡编号,户主姓名,村代码,家庭人口,状态,人均基础年收入,建档立卡年份\r\n"
                    f"5134311000018888,阿牛,{w['village'].code},3,poor,3000,2016\r\n".encode(),
                )
            },
        ),
        (
            url("cooperative-link-create"),
            {
                "register_number": w["household"].register_number,
                "kind": "dividend",
                "equity_shares": "100",
                "started_on": "2024-05-01",
            },
        ),
        (url("cooperative-link-end", w["link"].pk), {"ended_on": "2024-12-31"}),
        (
            url("cooperative-wage-create", w["link"].pk),
            {
                "period_start": "2024-03-01",
                "period_end": "2024-03-31",
                "days_worked": "10",
                "wages_paid": "1000",
            },
        ),
        (
            url("cooperative-scheme-create"),
            {
                "effective_from": "2030-01-01",
                "produce_percent": "10",
                "wage_percent": "10",
                "dividend_percent": "10",
            },
        ),
        (
            url("cooperative-link-import"),
            {
                "file": SimpleUploadedFile(
                    "l.csv",
                    "register_number,kind,supply_share,equity_shares,started_on\r\n"
                    f"{w['household'].register_number},produce_supply,1,,2024-05-01\r\n".encode(),
                )
            },
        ),
    ]


def snapshot():
    link_ends = list(BenefitLink.objects.order_by("pk").values_list("ended_on", flat=True))
    sizes = list(Household.objects.order_by("pk").values_list("size", flat=True))
    return (
        Household.objects.count(),
        BenefitLink.objects.count(),
        BenefitScheme.objects.count(),
        WageRecord.objects.count(),
        AuditEntry.objects.count(),
        link_ends,
        sizes,
    )


# --- anonymous -------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_log_in_from_every_page(client, world):
    for path in county_urls(world) + cooperative_urls(world):
        response = client.get(path)

        assert response.status_code == 302, path
        assert urlsplit(response["Location"]).path == reverse("customer:login"), path


def test_anonymous_post_is_sent_to_log_in_and_changes_nothing(client, world):
    before = snapshot()

    for path, data in post_requests(world):
        response = client.post(path, data)

        assert response.status_code == 302, path
        assert urlsplit(response["Location"]).path == reverse("customer:login"), path
    assert snapshot() == before


# --- evaluator and other roles ---------------------------------------------------------------


def test_evaluator_is_refused_every_page(client, world):
    client.force_login(UserFactory(roles=[roles.EVALUATOR]))

    for path in county_urls(world) + cooperative_urls(world):
        assert client.get(path).status_code == 403, path


def test_evaluator_cannot_change_anything(client, world):
    # Given an evaluator, who reads scorecards but changes no transaction
    client.force_login(UserFactory(roles=[roles.EVALUATOR]))
    before = snapshot()

    # When they post to every endpoint that changes households, links or schemes
    for path, data in post_requests(world):
        response = client.post(path, data)

        # Then each is refused and nothing changes (not even an audit entry)
        assert response.status_code == 403, path
    assert snapshot() == before


@pytest.mark.parametrize("role", [roles.CONSUMER, roles.INSTITUTIONAL_BUYER, roles.PLATFORM_ADMIN])
def test_other_roles_cannot_post_anything(client, world, role):
    client.force_login(UserFactory(roles=[role]))
    before = snapshot()

    for path, data in post_requests(world):
        assert client.post(path, data).status_code == 403, path
    assert snapshot() == before


def test_rightful_users_can_post_every_endpoint(client, world):
    # The matrix's other side: the same requests succeed for the owning officer and staff.
    w = world["a"]
    for path, data in post_requests(world):
        user = w["officer"] if "/county/" in path else w["staff"]
        client.force_login(user)

        response = client.post(path, data)

        assert response.status_code in (200, 302), path
        if response.status_code == 200 and response.context and "form" in response.context:
            assert not response.context["form"].errors, (path, response.context["form"].errors)
            result = response.context.get("result")
            assert result is None or result.ok, (path, result)


# --- cooperative staff -----------------------------------------------------------------------


def cooperative_object_urls(world, side="a"):
    link, scheme, household = (world[side][key] for key in ("link", "scheme", "household"))
    return [
        url("cooperative-household-detail", household.pk),
        url("cooperative-link-detail", link.pk),
        url("cooperative-link-end", link.pk),
        url("cooperative-wage-create", link.pk),
        url("cooperative-scheme-detail", scheme.pk),
    ]


def test_staff_get_404_on_another_cooperatives_household_link_and_scheme(client, world):
    client.force_login(world["b"]["staff"])

    for path in cooperative_object_urls(world, "a"):
        assert client.get(path).status_code == 404, path


def test_staff_reach_their_own_cooperatives_objects(client, world):
    client.force_login(world["a"]["staff"])

    for path in cooperative_object_urls(world, "a"):
        assert client.get(path).status_code == 200, path


def test_staff_post_to_another_cooperatives_link_is_404_and_changes_nothing(client, world):
    client.force_login(world["b"]["staff"])
    link = world["a"]["link"]
    before = snapshot()

    ended = client.post(url("cooperative-link-end", link.pk), {"ended_on": "2024-12-31"})
    wages = client.post(
        url("cooperative-wage-create", link.pk),
        {
            "period_start": "2024-03-01",
            "period_end": "2024-03-31",
            "days_worked": "1",
            "wages_paid": "1",
        },
    )

    assert (ended.status_code, wages.status_code) == (404, 404)
    assert snapshot() == before


def test_staff_do_not_see_another_cooperatives_households_in_their_list(client, world):
    client.force_login(world["b"]["staff"])

    response = client.get(url("cooperative-households"))

    assert list(response.context["households"]) == [world["b"]["household"]]


def test_staff_do_not_see_another_cooperatives_links_or_schemes(client, world):
    client.force_login(world["b"]["staff"])

    links = client.get(url("cooperative-links")).context["links"]
    schemes = client.get(url("cooperative-schemes")).context["schemes"]

    assert list(links) == [world["b"]["link"]]
    assert list(schemes) == [world["b"]["scheme"]]


def test_staff_cannot_link_a_household_of_another_county(client, world):
    client.force_login(world["b"]["staff"])

    response = client.post(
        url("cooperative-link-create"),
        {"register_number": NUMBER, "kind": "wage_labour", "started_on": "2024-05-01"},
    )

    assert response.status_code == 200
    assert "register_number" in response.context["form"].errors
    assert BenefitLink.objects.count() == 2


def test_staff_are_refused_the_county_pages(client, world):
    client.force_login(world["a"]["staff"])

    for path in county_urls(world, "a"):
        assert client.get(path).status_code == 403, path


def test_staff_are_refused_the_reveal_of_a_linked_household(client, world):
    client.force_login(world["a"]["staff"])

    response = client.post(url("county-household-reveal", world["a"]["household"].pk))

    assert response.status_code == 403
    assert not AuditEntry.objects.exists()


# --- county officers -------------------------------------------------------------------------


def test_officer_of_county_a_cannot_see_county_b_households(client, world):
    client.force_login(world["a"]["officer"])
    other = world["b"]["household"]

    listed = client.get(url("county-households")).context["households"]
    detail = client.get(url("county-household-detail", other.pk))
    edit = client.get(url("county-household-edit", other.pk))

    assert list(listed) == [world["a"]["household"]]
    assert (detail.status_code, edit.status_code) == (404, 404)


def test_officer_cannot_search_into_another_county(client, world):
    client.force_login(world["a"]["officer"])

    other = world["b"]["household"]

    response = client.post(url("county-household-find"), {"register_number": other.register_number})

    assert response.status_code == 302
    assert response["Location"] == url("county-households")


def test_officer_of_county_a_cannot_reveal_or_edit_county_b_households(client, world):
    client.force_login(world["a"]["officer"])
    other = world["b"]["household"]
    before = snapshot()

    reveal = client.post(url("county-household-reveal", other.pk))
    edit = client.post(
        url("county-household-edit", other.pk),
        {
            "head_name": "阿牛",
            "village": world["b"]["village"].pk,
            "size": "9",
            "status": "exited",
            "baseline_income_per_head": "3000",
            "registered_year": "2016",
        },
    )

    assert (reveal.status_code, edit.status_code) == (404, 404)
    assert snapshot() == before
    assert "6200000000000001" not in reveal.content.decode()


def test_officer_without_register_permission_is_refused_the_reveal(client, world):
    officer = world["a"]["officer"]
    officer.groups.clear()
    officer.user_permissions.add(
        Permission.objects.get(content_type__app_label="producers", codename="view_household")
    )
    client.force_login(officer)

    response = client.post(url("county-household-reveal", world["a"]["household"].pk))

    assert response.status_code == 403
    assert not AuditEntry.objects.exists()


def test_officers_are_refused_the_cooperative_pages(client, world):
    client.force_login(world["a"]["officer"])

    for path in cooperative_urls(world, "a"):
        assert client.get(path).status_code == 403, path


# --- Django admin ----------------------------------------------------------------------------


def test_django_admin_shows_households_masked_and_read_only(client, world):
    # Given a platform admin in the Django admin
    client.force_login(UserFactory(is_staff=True, roles=[roles.PLATFORM_ADMIN]))
    household = world["a"]["household"]

    # When they open the household list and a household
    listing = client.get(reverse("admin:producers_household_changelist"))
    detail = client.get(reverse("admin:producers_household_change", args=[household.pk]))
    change = client.post(
        reverse("admin:producers_household_change", args=[household.pk]), {"size": "1"}
    )

    # Then the register number is masked everywhere and nothing can be changed there
    for response in (listing, detail):
        assert response.status_code == 200
        assert "5134**********23" in response.content.decode()
        assert NUMBER not in response.content.decode()
    assert change.status_code == 403
