"""Supplier certification pages: the cooperative's application and the county office's queue."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from marketplace.users import roles
from producers.models import AuditEntry, Cooperative, CooperativeDecision, CooperativeDocument
from producers.selectors.certification import cooperative_applications_for_county
from tests.factories import (
    PDF_BYTES,
    PNG_BYTES,
    CooperativeDecisionFactory,
    CooperativeDocumentFactory,
    CooperativeFactory,
    CooperativeStaffFactory,
    CountyFactory,
    CountyOfficerFactory,
    TownshipFactory,
    VillageFactory,
)

pytestmark = pytest.mark.django_db

State = Cooperative.State
SHANGHAI = ZoneInfo("Asia/Shanghai")


def url(name: str, *args) -> str:
    return reverse(f"producers:{name}", args=args)


def message_texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def cooperative():
    return CooperativeFactory(legal_name="火普村苦荞合作社")


@pytest.fixture
def staff(cooperative):
    return CooperativeStaffFactory(cooperative=cooperative, first_name="阿呷", last_name="吉")


@pytest.fixture
def officer(cooperative):
    return CountyOfficerFactory(
        county=cooperative.county,
        user__roles=[roles.COUNTY_OFFICER],
        user__first_name="建国",
        user__last_name="李",
    ).user


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


def in_state(cooperative, state: str) -> Cooperative:
    Cooperative.objects.filter(pk=cooperative.pk).update(state=state)
    cooperative.refresh_from_db()
    return cooperative


# --- the cooperative's page ------------------------------------------------------------------


def test_cooperative_page_shows_the_state_and_the_documents(staff_client, cooperative):
    CooperativeDocumentFactory(cooperative=cooperative, title="2024年换发")

    response = staff_client.get(url("cooperative-certification"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "未申请" in content
    assert "2024年换发" in content
    assert url("cooperative-certification-document", cooperative.documents.get().pk) in content


def test_cooperative_page_never_links_media_urls(staff_client, cooperative, settings):
    document = CooperativeDocumentFactory(cooperative=cooperative)

    content = staff_client.get(url("cooperative-certification")).content.decode()

    assert settings.MEDIA_URL not in content
    assert document.file.name not in content


def test_cooperative_page_shows_who_decided_when_and_why_in_shanghai_time(
    staff_client, cooperative, officer
):
    # Given a request for changes taken at 16:30 UTC
    in_state(cooperative, State.CHANGES_REQUESTED)
    decision = CooperativeDecisionFactory(
        cooperative=cooperative,
        action="request_changes",
        from_state="applied",
        to_state="changes_requested",
        reason="请补充社员及带贫名册",
        actor=officer,
    )
    utc = datetime.datetime(2024, 5, 1, 16, 30, tzinfo=datetime.UTC)
    CooperativeDecision.objects.filter(pk=decision.pk).update(created_at=utc)

    # When the staff open their certification page
    content = staff_client.get(url("cooperative-certification")).content.decode()

    # Then they see the officer, the reason and the time in Beijing time (next day, 00:30)
    assert "李建国" in content
    assert "请补充社员及带贫名册" in content
    assert "2024-05-02 00:30" in content
    assert utc.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M") == "2024-05-02 00:30"


def test_staff_upload_a_document(staff_client, cooperative):
    response = staff_client.post(
        url("cooperative-certification-upload"),
        {
            "kind": "business_licence",
            "title": "正本",
            "file": SimpleUploadedFile("a.pdf", PDF_BYTES),
        },
    )

    assert response.status_code == 302
    assert response["Location"] == url("cooperative-certification")
    document = CooperativeDocument.objects.get()
    assert (document.cooperative, document.kind, document.title) == (
        cooperative,
        "business_licence",
        "正本",
    )
    assert message_texts(response) == ["已上传材料：营业执照。"]


def test_fake_pdf_upload_shows_a_chinese_message_and_stores_nothing(staff_client, media):
    response = staff_client.post(
        url("cooperative-certification-upload"),
        {"kind": "business_licence", "file": SimpleUploadedFile("a.pdf", b"MZ\x90\x00 not a pdf")},
        follow=True,
    )

    assert "只能上传PDF、PNG或JPEG格式的文件；该文件的内容不是这几种格式。" in [
        str(message) for message in response.context["messages"]
    ]
    assert not CooperativeDocument.objects.exists()
    assert list(media.iterdir()) == []


def test_upload_without_a_file_shows_which_field_is_missing(staff_client):
    response = staff_client.post(url("cooperative-certification-upload"), {"kind": "other"})

    assert response.status_code == 302
    assert message_texts(response) == [f"文件：{forms.Field.default_error_messages['required']}"]
    assert not CooperativeDocument.objects.exists()


def test_staff_apply_from_the_page(staff_client, cooperative):
    CooperativeDocumentFactory(cooperative=cooperative)

    response = staff_client.post(url("cooperative-certification-apply"))

    assert response.status_code == 302
    cooperative.refresh_from_db()
    assert cooperative.state == State.APPLIED
    assert message_texts(response) == ["已提交认定申请，请等待县扶贫办审核。"]


def test_apply_without_a_licence_explains_why(staff_client, cooperative):
    response = staff_client.post(url("cooperative-certification-apply"))

    assert message_texts(response) == ["请先上传营业执照，再提交认定申请。"]
    cooperative.refresh_from_db()
    assert cooperative.state == State.DRAFT


def test_upload_and_apply_forms_are_hidden_while_under_review(staff_client, cooperative):
    in_state(cooperative, State.APPLIED)

    response = staff_client.get(url("cooperative-certification"))

    assert response.context["upload_form"] is None
    assert response.context["can_apply"] is False
    assert url("cooperative-certification-apply") not in response.content.decode()


def test_apply_button_is_offered_again_after_a_rejection(staff_client, cooperative):
    in_state(cooperative, State.REJECTED)

    response = staff_client.get(url("cooperative-certification"))

    assert response.context["can_apply"] is True
    assert response.context["upload_form"] is not None


def test_staff_download_their_own_document(staff_client, cooperative):
    document = CooperativeDocumentFactory(cooperative=cooperative)

    response = staff_client.get(url("cooperative-certification-document", document.pk))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]


# --- the county office -----------------------------------------------------------------------


def test_queue_lists_the_countys_cooperatives_waiting_first(officer_client, cooperative):
    village = cooperative.village
    certified = CooperativeFactory(village=village, legal_name="A已认定合作社", state="certified")
    in_state(cooperative, State.APPLIED)
    CooperativeFactory(state="applied")  # another county's

    response = officer_client.get(url("county-cooperatives"))

    assert response.status_code == 200
    assert list(response.context["cooperatives"]) == [cooperative, certified]


def test_queue_filters_by_state(officer_client, cooperative):
    CooperativeFactory(village=cooperative.village, state="certified")

    response = officer_client.get(url("county-cooperatives"), {"state": "draft"})

    assert list(response.context["cooperatives"]) == [cooperative]


def test_queue_ignores_an_unknown_state_filter(officer_client, cooperative):
    response = officer_client.get(url("county-cooperatives"), {"state": "nonsense"})

    assert list(response.context["cooperatives"]) == [cooperative]


def test_detail_links_documents_through_the_checked_view(officer_client, cooperative, settings):
    document = CooperativeDocumentFactory(cooperative=cooperative)

    content = officer_client.get(url("county-cooperative-detail", cooperative.pk)).content.decode()

    assert url("county-cooperative-document", cooperative.pk, document.pk) in content
    assert settings.MEDIA_URL not in content


@pytest.mark.parametrize(
    ("state", "offered"),
    [
        ("draft", []),
        ("applied", ["approve", "reject", "request_changes"]),
        ("changes_requested", []),
        ("certified", ["suspend"]),
        ("rejected", []),
        ("suspended", ["reinstate"]),
    ],
)
def test_detail_offers_only_the_decisions_the_state_allows(
    officer_client, cooperative, state, offered
):
    in_state(cooperative, state)

    response = officer_client.get(url("county-cooperative-detail", cooperative.pk))

    assert [choice["action"] for choice in response.context["review_choices"]] == offered


def test_officer_approves_an_application(officer_client, cooperative, officer):
    in_state(cooperative, State.APPLIED)

    response = officer_client.post(
        url("county-cooperative-review", cooperative.pk), {"action": "approve"}
    )

    assert response.status_code == 302
    assert response["Location"] == url("county-cooperative-detail", cooperative.pk)
    cooperative.refresh_from_db()
    assert cooperative.state == State.CERTIFIED
    assert CooperativeDecision.objects.get().actor == officer
    assert message_texts(response) == ["已记录决定：通过认定。当前状态：已认定。"]


def test_officer_rejects_with_a_reason(officer_client, cooperative):
    in_state(cooperative, State.APPLIED)

    officer_client.post(
        url("county-cooperative-review", cooperative.pk),
        {"action": "reject", "reason": "营业执照已过期"},
    )

    cooperative.refresh_from_db()
    assert cooperative.state == State.REJECTED
    assert CooperativeDecision.objects.get().reason == "营业执照已过期"


@pytest.mark.parametrize("action", ["reject", "request_changes"])
def test_reject_or_request_changes_without_a_reason_is_refused_with_a_message(
    officer_client, cooperative, action
):
    in_state(cooperative, State.APPLIED)

    response = officer_client.post(
        url("county-cooperative-review", cooperative.pk), {"action": action, "reason": " "}
    )

    assert message_texts(response) == ["请填写理由。"]
    cooperative.refresh_from_db()
    assert cooperative.state == State.APPLIED
    assert not CooperativeDecision.objects.exists()


def test_decision_the_state_does_not_allow_is_refused_with_a_message(officer_client, cooperative):
    response = officer_client.post(
        url("county-cooperative-review", cooperative.pk), {"action": "approve"}
    )

    assert message_texts(response) == ["合作社当前的认定状态是“未申请”，不能通过认定。"]
    cooperative.refresh_from_db()
    assert cooperative.state == State.DRAFT


def test_unknown_decision_is_refused_with_a_message(officer_client, cooperative):
    in_state(cooperative, State.APPLIED)

    response = officer_client.post(
        url("county-cooperative-review", cooperative.pk), {"action": "apply"}
    )

    assert response.status_code == 302
    assert len(message_texts(response)) == 1
    assert not CooperativeDecision.objects.exists()


def test_review_url_accepts_only_post(officer_client, cooperative):
    assert officer_client.get(url("county-cooperative-review", cooperative.pk)).status_code == 405


def test_officer_downloads_a_document_and_the_download_is_audited(
    officer_client, cooperative, officer
):
    document = CooperativeDocumentFactory(
        cooperative=cooperative,
        kind="member_roster",
        file__filename="roster.png",
        file__data=PNG_BYTES,
    )

    response = officer_client.get(url("county-cooperative-document", cooperative.pk, document.pk))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG_BYTES
    assert response["Content-Type"] == "image/png"
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action) == (officer, "cooperative.document.view")


def test_whole_round_through_both_workspaces(client, cooperative, staff, officer):
    # Given staff who upload a licence and apply
    client.force_login(staff)
    client.post(
        url("cooperative-certification-upload"),
        {"kind": "business_licence", "file": SimpleUploadedFile("x.pdf", PDF_BYTES)},
    )
    client.post(url("cooperative-certification-apply"))

    # When the county office asks for changes, the staff add a roster and apply again,
    # and the office approves
    client.force_login(officer)
    client.post(
        url("county-cooperative-review", cooperative.pk),
        {"action": "request_changes", "reason": "请补充社员名册"},
    )
    client.force_login(staff)
    client.post(
        url("cooperative-certification-upload"),
        {"kind": "member_roster", "file": SimpleUploadedFile("y.png", PNG_BYTES)},
    )
    client.post(url("cooperative-certification-apply"))
    client.force_login(officer)
    client.post(url("county-cooperative-review", cooperative.pk), {"action": "approve"})

    # Then the cooperative is certified and its page shows every step
    cooperative.refresh_from_db()
    assert cooperative.state == State.CERTIFIED
    client.force_login(staff)
    history = client.get(url("cooperative-certification")).context["history"]
    assert [decision.action for decision in history] == [
        "apply",
        "request_changes",
        "apply",
        "approve",
    ]


# --- query counts ----------------------------------------------------------------------------


def county_with_cooperatives(count: int):
    """A county with `count` cooperatives, each with two documents and two decisions, and
    its officer: (county, officer)."""
    county = CountyFactory()
    village = VillageFactory(parent=TownshipFactory(parent=county))
    officer = CountyOfficerFactory(county=county, user__roles=[roles.COUNTY_OFFICER]).user
    for index in range(count):
        cooperative = CooperativeFactory(
            village=village, state="applied" if index % 2 else "changes_requested"
        )
        CooperativeDocumentFactory(cooperative=cooperative)
        CooperativeDocumentFactory(cooperative=cooperative, kind="member_roster")
        CooperativeDecisionFactory(cooperative=cooperative)
        CooperativeDecisionFactory(
            cooperative=cooperative,
            action="request_changes",
            from_state="applied",
            to_state="changes_requested",
            actor=officer,
        )
    return county, officer


def queue_queries(client, count: int) -> int:
    _, officer = county_with_cooperatives(count)
    client.force_login(officer)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("county-cooperatives"))
    assert response.status_code == 200
    assert len(response.context["cooperatives"]) == count
    return len(queries)


# Session, user, county office and two permission queries (5); the shared site header's
# notifications and basket (7); the queue: count, cooperatives, latest decisions, documents (4).
QUEUE_PAGE_MAX_QUERIES = 16


@pytest.mark.parametrize("count", [3, 30])
def test_queue_page_query_count_is_bounded(client, django_assert_max_num_queries, count):
    _, officer = county_with_cooperatives(count)
    client.force_login(officer)

    with django_assert_max_num_queries(QUEUE_PAGE_MAX_QUERIES):
        response = client.get(url("county-cooperatives"))

    assert len(response.context["cooperatives"]) == count


def test_queue_page_query_count_does_not_grow_with_the_cooperatives(client):
    few = queue_queries(client, 3)
    many = queue_queries(client, 30)

    assert many == few


@pytest.mark.parametrize("count", [3, 30])
def test_queue_selector_reads_everything_the_page_shows_in_three_queries(
    django_assert_num_queries, count
):
    # Given a county with cooperatives that each have documents and decisions
    county, _ = county_with_cooperatives(count)

    # When the queue and everything its page renders are read
    with django_assert_num_queries(3):
        rows = [
            (
                cooperative.village.parent.name,
                [document.get_kind_display() for document in cooperative.documents.all()],
                [str(decision.actor) for decision in cooperative.latest_decisions],
            )
            for cooperative in cooperative_applications_for_county(county=county)
        ]

    # Then each row has its two documents and its one latest decision
    assert len(rows) == count
    assert all(len(documents) == 2 and len(latest) == 1 for _, documents, latest in rows)
