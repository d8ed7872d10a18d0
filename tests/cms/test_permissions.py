"""Who may do what: editors draft, moderators publish through the workflow, neither reaches
the store dashboard; a thank-you certificate goes only to its own buyer."""

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cms.models import NewsIndexPage, PublicParticipation
from marketplace.users import roles
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from tests.store_factories import product_create

from .conftest import purchase

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year


def _certificate_url(year=YEAR, **params) -> str:
    url = reverse("cms:certificate", kwargs={"year": year})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


@pytest.fixture
def draft(home_page):
    """An editor's draft page under the home page, not live."""
    editor = UserFactory(roles=[roles.EDITOR])
    page = NewsIndexPage(title="新闻动态", slug="news", live=False)
    home_page.add_child(instance=page)
    page.save_revision(user=editor)
    return page, editor


def _approve(client, page, user):
    task_state = page.current_workflow_state.current_task_state
    client.force_login(user)
    url = reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", task_state.pk])
    return client.post(url, {"comment": ""})


def test_editor_may_edit_but_not_publish(draft):
    page, editor = draft

    permissions = page.permissions_for_user(editor)

    assert permissions.can_edit()
    assert not permissions.can_publish()


def test_moderator_approving_an_editors_submission_publishes_it(client, draft):
    # Given an editor's draft submitted for moderation
    page, editor = draft
    page.get_workflow().start(page, editor)
    page.refresh_from_db()
    assert not page.live

    # When a moderator approves it in the CMS admin
    _approve(client, page, UserFactory(roles=[roles.MODERATOR]))

    # Then it is published
    page.refresh_from_db()
    assert page.live


def test_editor_cannot_approve_their_own_submission(client, draft):
    page, editor = draft
    page.get_workflow().start(page, editor)
    page.refresh_from_db()

    _approve(client, page, editor)

    page.refresh_from_db()
    assert not page.live
    assert page.workflow_in_progress


def test_editor_and_moderator_cannot_reach_the_store_dashboard(client):
    for role in (roles.EDITOR, roles.MODERATOR):
        client.force_login(UserFactory(roles=[role]))

        assert client.get(reverse("dashboard:index")).status_code == 403
        assert client.get(reverse("wagtailadmin_home")).status_code == 200


def test_anonymous_visitor_is_sent_to_log_in_for_a_certificate(client):
    response = client.get(_certificate_url())

    assert response.status_code == 302
    assert reverse("customer:login") in response.url


def test_buyer_downloads_a_certificate_of_their_own_purchases_only(client):
    # Given two buyers' settled purchases
    tea = product_create(price=Decimal("38.00"))
    buyer, other = UserFactory(), UserFactory()
    purchase(items=[(tea, 2)], user=buyer)
    purchase(items=[(tea, 9)], user=other)

    # When the buyer downloads the year's certificate
    client.force_login(buyer)
    response = client.get(_certificate_url())

    # Then it is a PDF stating the buyer's own amount, not the other buyer's
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert b"CNY 76.00," in response.content
    assert b"CNY 342.00" not in response.content


def test_organisation_certificate_only_for_its_approved_members(client):
    organisation = OrganisationFactory()
    member = MembershipFactory(organisation=organisation, state="approved").user
    applicant = MembershipFactory(organisation=organisation, state="requested").user
    outsider = UserFactory()

    client.force_login(member)
    assert client.get(_certificate_url(organisation=organisation.pk)).status_code == 200
    for user in (applicant, outsider):
        client.force_login(user)
        assert client.get(_certificate_url(organisation=organisation.pk)).status_code == 403


def test_certificate_for_a_year_to_come_is_not_found(client):
    client.force_login(UserFactory())

    assert client.get(_certificate_url(year=YEAR + 1)).status_code == 404


@pytest.mark.parametrize("organisation", ["²", "１"])
def test_certificate_for_a_non_ascii_organisation_number_is_not_found(client, organisation):
    # "²".isdigit() is true but int("²") fails: such an id is no organisation, not a crash
    client.force_login(UserFactory())

    assert client.get(_certificate_url(organisation=organisation)).status_code == 404


def test_buyer_opts_in_to_the_ranking_with_a_nickname(client, home_page):
    buyer = UserFactory()
    client.force_login(buyer)

    client.post(
        reverse("cms:participation-update"),
        {"show_in_ranking": "on", "nickname": "爱心小林", "next": "/"},
    )

    buyer.refresh_from_db()
    assert buyer.nickname == "爱心小林"
    assert PublicParticipation.objects.get(user=buyer).show_in_ranking


def test_opting_in_without_a_nickname_is_refused_and_changes_nothing(client, home_page):
    buyer = UserFactory(nickname="")
    client.force_login(buyer)

    response = client.post(
        reverse("cms:participation-update"), {"show_in_ranking": "on", "nickname": " "}, follow=True
    )

    assert "请先填写昵称" in response.content.decode()
    assert not PublicParticipation.objects.filter(user=buyer).exists()


def test_ranking_consent_needs_a_signed_in_user_and_a_csrf_token(client, home_page):
    anonymous = client.post(reverse("cms:participation-update"), {"show_in_ranking": "on"})
    assert anonymous.status_code == 302
    assert reverse("customer:login") in anonymous.url

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(UserFactory())
    forged = strict.post(reverse("cms:participation-update"), {"show_in_ranking": "on"})
    assert forged.status_code == 403
    assert not PublicParticipation.objects.exists()
