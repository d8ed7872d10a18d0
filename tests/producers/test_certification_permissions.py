"""Who reaches which certification page: the permission matrix.

Staff only ever see their own cooperative (another's documents are a 404); officers only their
own county's cooperatives (another county's are a 404); evaluators, consumers and other roles
are refused every workspace page; anonymous visitors are sent to log in; every decision is a
POST that needs the CSRF token.
"""

from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from marketplace.users import roles
from producers.models import AuditEntry, Cooperative, CooperativeDecision, CooperativeDocument
from producers.services.audit import audit_record
from tests.factories import (
    PDF_BYTES,
    CooperativeDecisionFactory,
    CooperativeDocumentFactory,
    CooperativeFactory,
    CooperativeStaffFactory,
    CountyFactory,
    CountyOfficerFactory,
    TownshipFactory,
    UserFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(f"producers:{name}", args=args)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_MEDIA_ROOT = tmp_path


@pytest.fixture
def world():
    """County A with an applied cooperative A (with a business licence); county B likewise."""
    objects = {}
    for side in ("a", "b"):
        county = CountyFactory()
        village = VillageFactory(parent=TownshipFactory(parent=county))
        cooperative = CooperativeFactory(village=village, state=Cooperative.State.APPLIED)
        objects[side] = {
            "county": county,
            "cooperative": cooperative,
            "document": CooperativeDocumentFactory(cooperative=cooperative),
            "officer": CountyOfficerFactory(county=county, user__roles=[roles.COUNTY_OFFICER]).user,
            "staff": CooperativeStaffFactory(cooperative=cooperative),
        }
    return objects


def county_pages(world, side="a"):
    cooperative, document = world[side]["cooperative"], world[side]["document"]
    return [
        url("county-cooperatives"),
        url("county-cooperative-detail", cooperative.pk),
        url("county-cooperative-document", cooperative.pk, document.pk),
    ]


def cooperative_pages(world, side="a"):
    return [
        url("cooperative-certification"),
        url("cooperative-certification-document", world[side]["document"].pk),
    ]


def post_requests(world, side="a"):
    """Every POST endpoint, with data that would succeed for the rightful user."""
    cooperative = world[side]["cooperative"]
    return [
        (url("county-cooperative-review", cooperative.pk), {"action": "approve"}),
        (
            url("cooperative-certification-upload"),
            {"kind": "other", "file": SimpleUploadedFile("x.pdf", PDF_BYTES)},
        ),
        (url("cooperative-certification-apply"), {}),
    ]


def snapshot():
    return (
        list(Cooperative.objects.order_by("pk").values_list("state", flat=True)),
        CooperativeDocument.objects.count(),
        CooperativeDecision.objects.count(),
        AuditEntry.objects.count(),
    )


# --- anonymous -------------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_log_in_from_every_page(client, world):
    for path in county_pages(world) + cooperative_pages(world):
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


# --- other roles -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role",
    [roles.EVALUATOR, roles.CONSUMER, roles.INSTITUTIONAL_BUYER, roles.EDITOR],
    ids=lambda role: role.code,
)
def test_other_roles_are_refused_every_page(client, world, role):
    client.force_login(UserFactory(roles=[role]))

    for path in county_pages(world) + cooperative_pages(world):
        assert client.get(path).status_code == 403, path


@pytest.mark.parametrize(
    "role",
    [roles.EVALUATOR, roles.CONSUMER, roles.INSTITUTIONAL_BUYER, roles.PLATFORM_ADMIN],
    ids=lambda role: role.code,
)
def test_other_roles_cannot_post_anything(client, world, role):
    client.force_login(UserFactory(roles=[role]))
    before = snapshot()

    for path, data in post_requests(world):
        assert client.post(path, data).status_code == 403, path
    assert snapshot() == before


def test_rightful_users_can_post_every_endpoint(client, world):
    # The matrix's other side: the same requests succeed for the owning officer and staff.
    cooperative = world["a"]["cooperative"]
    for path, data in post_requests(world):
        client.force_login(world["a"]["officer" if "/county/" in path else "staff"])

        response = client.post(path, data)

        assert response.status_code == 302, path
    cooperative.refresh_from_db()
    assert cooperative.state == Cooperative.State.CERTIFIED
    assert cooperative.documents.count() == 2


# --- cooperative staff -----------------------------------------------------------------------


def test_staff_get_404_on_another_cooperatives_document(client, world):
    client.force_login(world["b"]["staff"])

    response = client.get(url("cooperative-certification-document", world["a"]["document"].pk))

    assert response.status_code == 404
    assert not AuditEntry.objects.exists()


def test_staff_see_only_their_own_cooperative(client, world):
    client.force_login(world["b"]["staff"])

    response = client.get(
        url("cooperative-certification"), {"cooperative": world["a"]["cooperative"].pk}
    )

    assert response.context["cooperative"] == world["b"]["cooperative"]
    assert list(response.context["documents"]) == [world["b"]["document"]]
    assert world["a"]["cooperative"].legal_name not in response.content.decode()


def test_staff_upload_goes_to_their_own_cooperative_whatever_is_posted(client, world):
    # Given staff of B, whose cooperative may take documents
    Cooperative.objects.filter(pk=world["b"]["cooperative"].pk).update(state="draft")
    client.force_login(world["b"]["staff"])

    # When they post a document naming cooperative A
    client.post(
        url("cooperative-certification-upload"),
        {
            "kind": "other",
            "file": SimpleUploadedFile("x.pdf", PDF_BYTES),
            "cooperative": world["a"]["cooperative"].pk,
        },
    )

    # Then it lands at B, and A is untouched
    assert world["a"]["cooperative"].documents.count() == 1
    assert world["b"]["cooperative"].documents.count() == 2


@pytest.mark.parametrize("side", ["a", "b"])
def test_staff_are_refused_the_county_pages(client, world, side):
    client.force_login(world["a"]["staff"])

    for path in county_pages(world, side):
        assert client.get(path).status_code == 403, path


def test_staff_cannot_decide_on_their_own_application(client, world):
    client.force_login(world["a"]["staff"])
    before = snapshot()

    response = client.post(
        url("county-cooperative-review", world["a"]["cooperative"].pk), {"action": "approve"}
    )

    assert response.status_code == 403
    assert snapshot() == before


def test_partner_user_without_the_staff_role_is_refused(client, world):
    # Given a user of cooperative A's partner who is not in the cooperative_staff role
    user = UserFactory()
    world["a"]["cooperative"].partner.users.add(user)
    client.force_login(user)

    for path in cooperative_pages(world):
        assert client.get(path).status_code == 403, path


# --- county officers -------------------------------------------------------------------------


def test_officer_of_county_b_does_not_see_county_a_in_the_queue(client, world):
    client.force_login(world["b"]["officer"])

    response = client.get(url("county-cooperatives"))

    assert list(response.context["cooperatives"]) == [world["b"]["cooperative"]]


def test_officer_of_county_b_gets_404_on_county_a_pages(client, world):
    client.force_login(world["b"]["officer"])

    for path in county_pages(world, "a")[1:]:
        assert client.get(path).status_code == 404, path
    assert not AuditEntry.objects.exists()


def test_officer_of_county_b_cannot_decide_for_county_a(client, world):
    client.force_login(world["b"]["officer"])
    before = snapshot()

    response = client.post(
        url("county-cooperative-review", world["a"]["cooperative"].pk), {"action": "approve"}
    )

    assert response.status_code == 404
    assert snapshot() == before


def test_officer_cannot_reach_a_document_through_another_cooperatives_url(client, world):
    # Given county A's officer, and county B's document under county A's cooperative URL
    client.force_login(world["a"]["officer"])
    path = url(
        "county-cooperative-document", world["a"]["cooperative"].pk, world["b"]["document"].pk
    )

    assert client.get(path).status_code == 404


def test_officer_is_refused_the_cooperative_pages(client, world):
    client.force_login(world["a"]["officer"])

    for path in cooperative_pages(world):
        assert client.get(path).status_code == 403, path


def test_officer_without_the_review_permission_sees_no_decisions_and_cannot_post(client, world):
    # Given an officer of county A whose group lacks producers.review_cooperative
    officer = world["a"]["officer"]
    group = Group.objects.create(name="read-only office")
    group.permissions.add(
        *Permission.objects.filter(
            codename__in=[
                "view_cooperative",
                "view_cooperativedocument",
                "view_cooperativedecision",
            ]
        )
    )
    officer.groups.set([group])
    client.force_login(officer)
    cooperative = world["a"]["cooperative"]
    before = snapshot()

    detail = client.get(url("county-cooperative-detail", cooperative.pk))
    decision = client.post(url("county-cooperative-review", cooperative.pk), {"action": "approve"})

    assert detail.status_code == 200
    assert detail.context["review_choices"] == []
    assert decision.status_code == 403
    assert snapshot() == before


# --- CSRF ------------------------------------------------------------------------------------


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


def test_decision_without_csrf_token_is_rejected(csrf_client, world):
    csrf_client.force_login(world["a"]["officer"])
    before = snapshot()

    response = csrf_client.post(
        url("county-cooperative-review", world["a"]["cooperative"].pk), {"action": "approve"}
    )

    assert response.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize(
    "name", ["cooperative-certification-upload", "cooperative-certification-apply"]
)
def test_cooperative_posts_without_csrf_token_are_rejected(csrf_client, world, name):
    Cooperative.objects.filter(pk=world["a"]["cooperative"].pk).update(state="draft")
    csrf_client.force_login(world["a"]["staff"])
    before = snapshot()

    response = csrf_client.post(
        url(name), {"kind": "other", "file": SimpleUploadedFile("x.pdf", PDF_BYTES)}
    )

    assert response.status_code == 403
    assert snapshot() == before


def test_decision_with_the_pages_csrf_token_is_accepted(csrf_client, world):
    # The other side: the token the detail page hands out makes the same POST succeed.
    csrf_client.force_login(world["a"]["officer"])
    cooperative = world["a"]["cooperative"]
    page = csrf_client.get(url("county-cooperative-detail", cooperative.pk))
    token = page.context["csrf_token"]

    response = csrf_client.post(
        url("county-cooperative-review", cooperative.pk),
        {"action": "approve", "csrfmiddlewaretoken": str(token)},
    )

    assert response.status_code == 302
    cooperative.refresh_from_db()
    assert cooperative.state == Cooperative.State.CERTIFIED


# --- Django admin ----------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["cooperativedocument", "cooperativedecision", "auditentry"])
def test_admin_shows_certification_records_read_only(client, world, model):
    # Given a platform admin, and a decision and an audit entry on file
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    cooperative, staff = world["a"]["cooperative"], world["a"]["staff"]
    CooperativeDecisionFactory(cooperative=cooperative, actor=staff)
    audit_record(actor=staff, action="cooperative.apply", target=cooperative)
    record = {
        "cooperativedocument": world["a"]["document"],
        "cooperativedecision": CooperativeDecision.objects.get(),
        "auditentry": AuditEntry.objects.get(),
    }[model]

    # When they open the list, the record, and the add and delete pages
    listing = client.get(reverse(f"admin:producers_{model}_changelist"))
    detail = client.get(reverse(f"admin:producers_{model}_change", args=[record.pk]))
    add = client.get(reverse(f"admin:producers_{model}_add"))
    delete = client.get(reverse(f"admin:producers_{model}_delete", args=[record.pk]))

    # Then they can read but not add, change or delete, and no file is linked
    assert (listing.status_code, detail.status_code) == (200, 200)
    assert (add.status_code, delete.status_code) == (403, 403)
    assert 'name="_save"' not in detail.content.decode()
    assert "/media/" not in detail.content.decode()


def test_admin_cannot_change_a_cooperatives_certification_state(client, world):
    # Given a platform admin and a cooperative that applied but was not decided on
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    cooperative = world["a"]["cooperative"]
    Cooperative.objects.filter(pk=cooperative.pk).update(state=Cooperative.State.APPLIED)
    change_url = reverse("admin:producers_cooperative_change", args=[cooperative.pk])
    page = client.get(change_url)

    # When they post the change form with the state set to certified
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data["state"] = Cooperative.State.CERTIFIED
    client.post(change_url, data)

    # Then the state is not a field of the form and stays as the county office left it
    assert "state" not in form.fields
    cooperative.refresh_from_db()
    assert cooperative.state == Cooperative.State.APPLIED
    assert not CooperativeDecision.objects.filter(cooperative=cooperative).exists()
