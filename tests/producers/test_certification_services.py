"""Supplier certification services: transitions, reasons, who and when, audit, uploads."""

import re
import threading

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from marketplace.users import roles
from producers.models import AuditEntry, Cooperative, CooperativeDecision, CooperativeDocument
from producers.selectors.certification import (
    cooperative_applications_for_county,
    cooperative_can_list_products,
    cooperative_history,
)
from producers.services.certification import (
    DEFAULT_DOCUMENT_MAX_BYTES,
    CertificationError,
    cooperative_apply,
    cooperative_document_add,
    cooperative_document_open,
    cooperative_review,
    document_max_bytes,
)
from tests.factories import (
    JPEG_BYTES,
    PDF_BYTES,
    PNG_BYTES,
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

State = Cooperative.State
Kind = CooperativeDocument.Kind

ALL_STATES = ["draft", "applied", "changes_requested", "certified", "rejected", "suspended"]
REVIEW_ACTIONS = ["approve", "reject", "request_changes", "suspend", "reinstate"]
# The county office's decisions: (from state, action) -> new state. Nothing else is allowed.
ALLOWED_REVIEWS = {
    ("applied", "approve"): "certified",
    ("applied", "reject"): "rejected",
    ("applied", "request_changes"): "changes_requested",
    ("certified", "suspend"): "suspended",
    ("suspended", "reinstate"): "certified",
}
REFUSED_REVIEWS = [
    (state, action)
    for state in ALL_STATES
    for action in REVIEW_ACTIONS
    if (state, action) not in ALLOWED_REVIEWS
]
REASON_REQUIRED = ["reject", "request_changes", "suspend"]
STORED_NAME = r"^cooperatives/{pk}/[0-9a-f]{{32}}\.{extension}$"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def cooperative():
    return CooperativeFactory()


@pytest.fixture
def staff(cooperative):
    return CooperativeStaffFactory(cooperative=cooperative)


@pytest.fixture
def officer(cooperative):
    return CountyOfficerFactory(county=cooperative.county, user__roles=[roles.COUNTY_OFFICER]).user


def in_state(cooperative, state: str) -> Cooperative:
    Cooperative.objects.filter(pk=cooperative.pk).update(state=state)
    cooperative.refresh_from_db()
    return cooperative


def upload(content: bytes, name: str = "licence.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def nothing_written() -> bool:
    return not CooperativeDecision.objects.exists() and not AuditEntry.objects.exists()


# --- applying --------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["draft", "changes_requested", "rejected"])
def test_staff_can_apply_from_draft_changes_requested_or_rejected(cooperative, staff, state):
    # Given a cooperative with a business licence, in a state that may apply
    CooperativeDocumentFactory(cooperative=cooperative)
    in_state(cooperative, state)

    # When its staff apply
    decision = cooperative_apply(cooperative=cooperative, actor=staff)

    # Then it waits for the county office, and the step is recorded
    cooperative.refresh_from_db()
    assert cooperative.state == State.APPLIED
    assert (decision.action, decision.from_state, decision.to_state) == ("apply", state, "applied")


@pytest.mark.parametrize("state", ["applied", "certified", "suspended"])
def test_apply_is_refused_from_applied_certified_or_suspended(cooperative, staff, state):
    CooperativeDocumentFactory(cooperative=cooperative)
    in_state(cooperative, state)

    with pytest.raises(CertificationError) as excinfo:
        cooperative_apply(cooperative=cooperative, actor=staff)

    assert excinfo.value.code == "invalid_transition"
    cooperative.refresh_from_db()
    assert cooperative.state == state
    assert nothing_written()


def test_apply_without_a_business_licence_is_refused(cooperative, staff):
    # Given evidence, but no business licence among it
    CooperativeDocumentFactory(cooperative=cooperative, kind=Kind.MEMBER_ROSTER)

    # When the staff apply
    with pytest.raises(CertificationError) as excinfo:
        cooperative_apply(cooperative=cooperative, actor=staff)

    # Then they are told to upload the licence first, and nothing changes
    assert excinfo.value.messages == ["请先上传营业执照，再提交认定申请。"]
    cooperative.refresh_from_db()
    assert cooperative.state == State.DRAFT
    assert nothing_written()


def test_apply_records_who_and_when_and_an_audit_entry(cooperative, staff):
    CooperativeDocumentFactory(cooperative=cooperative)
    before = timezone.now()

    decision = cooperative_apply(cooperative=cooperative, actor=staff)

    assert decision.actor == staff
    assert before <= decision.created_at <= timezone.now()
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.target_id) == (
        staff,
        "cooperative.apply",
        str(cooperative.pk),
    )
    assert entry.detail["from_state"] == "draft"
    assert entry.detail["to_state"] == "applied"


def test_staff_of_another_cooperative_cannot_apply(cooperative):
    CooperativeDocumentFactory(cooperative=cooperative)
    outsider = CooperativeStaffFactory()

    with pytest.raises(PermissionDenied):
        cooperative_apply(cooperative=cooperative, actor=outsider)

    assert nothing_written()


def test_county_officer_cannot_apply_for_a_cooperative(cooperative, officer):
    CooperativeDocumentFactory(cooperative=cooperative)

    with pytest.raises(PermissionDenied):
        cooperative_apply(cooperative=cooperative, actor=officer)


# --- the county office's decisions -----------------------------------------------------------


@pytest.mark.parametrize(("state", "action"), list(ALLOWED_REVIEWS))
def test_officer_decision_moves_the_cooperative(cooperative, officer, state, action):
    # Given a cooperative in a state the decision applies to
    in_state(cooperative, state)

    # When the officer of its county decides, with a reason
    decision = cooperative_review(
        cooperative=cooperative, officer=officer, action=action, reason="材料齐全"
    )

    # Then the cooperative moves to the decision's state, and the step is recorded
    cooperative.refresh_from_db()
    assert cooperative.state == ALLOWED_REVIEWS[(state, action)]
    assert decision.cooperative.state == cooperative.state
    assert (decision.action, decision.from_state, decision.to_state) == (
        action,
        state,
        cooperative.state,
    )


@pytest.mark.parametrize(("state", "action"), REFUSED_REVIEWS)
def test_officer_decision_is_refused_from_other_states(cooperative, officer, state, action):
    in_state(cooperative, state)

    with pytest.raises(CertificationError) as excinfo:
        cooperative_review(cooperative=cooperative, officer=officer, action=action, reason="理由")

    assert excinfo.value.code == "invalid_transition"
    cooperative.refresh_from_db()
    assert cooperative.state == state
    assert nothing_written()


def test_refused_transition_names_the_state_in_chinese(cooperative, officer):
    in_state(cooperative, State.DRAFT)

    with pytest.raises(CertificationError) as excinfo:
        cooperative_review(cooperative=cooperative, officer=officer, action="approve")

    assert excinfo.value.messages == ["合作社当前的认定状态是“未申请”，不能通过认定。"]


@pytest.mark.parametrize("action", REASON_REQUIRED)
@pytest.mark.parametrize("reason", ["", "   \n "])
def test_reject_request_changes_and_suspend_require_a_reason(cooperative, officer, action, reason):
    state = "certified" if action == "suspend" else "applied"
    in_state(cooperative, state)

    with pytest.raises(CertificationError) as excinfo:
        cooperative_review(cooperative=cooperative, officer=officer, action=action, reason=reason)

    assert excinfo.value.message_dict == {"reason": ["请填写理由。"]}
    cooperative.refresh_from_db()
    assert cooperative.state == state
    assert nothing_written()


@pytest.mark.parametrize(("state", "action"), [("applied", "approve"), ("suspended", "reinstate")])
def test_approve_and_reinstate_need_no_reason(cooperative, officer, state, action):
    in_state(cooperative, state)

    decision = cooperative_review(cooperative=cooperative, officer=officer, action=action)

    assert decision.reason == ""
    assert cooperative_can_list_products(cooperative=decision.cooperative)


def test_decision_records_who_when_and_the_reason(cooperative, officer):
    in_state(cooperative, State.APPLIED)
    before = timezone.now()

    cooperative_review(
        cooperative=cooperative, officer=officer, action="reject", reason="  营业执照已过期  "
    )

    decision = CooperativeDecision.objects.get()
    assert decision.actor == officer
    assert before <= decision.created_at <= timezone.now()
    assert decision.reason == "营业执照已过期"


def test_decision_writes_an_audit_entry(cooperative, officer):
    in_state(cooperative, State.CERTIFIED)

    decision = cooperative_review(
        cooperative=cooperative, officer=officer, action="suspend", reason="抽检不合格"
    )

    entry = AuditEntry.objects.get()
    assert entry.actor == officer
    assert entry.action == "cooperative.suspend"
    assert entry.target_type.model_class() is Cooperative
    assert entry.target_id == str(cooperative.pk)
    assert entry.detail == {
        "decision": decision.pk,
        "from_state": "certified",
        "to_state": "suspended",
        "reason": "抽检不合格",
    }


def test_officer_of_another_county_cannot_decide(cooperative):
    in_state(cooperative, State.APPLIED)
    other = CountyOfficerFactory(county=CountyFactory(), user__roles=[roles.COUNTY_OFFICER]).user

    with pytest.raises(PermissionDenied):
        cooperative_review(cooperative=cooperative, officer=other, action="approve")

    cooperative.refresh_from_db()
    assert cooperative.state == State.APPLIED
    assert nothing_written()


def test_officer_without_the_review_permission_cannot_decide(cooperative):
    # Given an officer of the right county whose role lacks producers.review_cooperative
    in_state(cooperative, State.APPLIED)
    user = UserFactory()
    CountyOfficerFactory(user=user, county=cooperative.county)
    user.user_permissions.add(Permission.objects.get(codename="view_cooperative"))

    with pytest.raises(PermissionDenied):
        cooperative_review(cooperative=cooperative, officer=user, action="approve")

    assert nothing_written()


def test_superuser_without_a_county_office_cannot_decide(cooperative):
    in_state(cooperative, State.APPLIED)
    admin = UserFactory(is_superuser=True, is_staff=True)

    with pytest.raises(PermissionDenied):
        cooperative_review(cooperative=cooperative, officer=admin, action="approve")


def test_staff_cannot_certify_their_own_cooperative(cooperative, staff):
    in_state(cooperative, State.APPLIED)

    with pytest.raises(PermissionDenied):
        cooperative_review(cooperative=cooperative, officer=staff, action="approve")


def test_apply_is_not_a_county_office_decision(cooperative, officer):
    with pytest.raises(ValueError):
        cooperative_review(cooperative=cooperative, officer=officer, action="apply")


def test_decision_uses_the_stored_state_not_a_stale_instance(cooperative, officer):
    # Given a page loaded while the cooperative was applied, and another officer's approval since
    stale = in_state(cooperative, State.APPLIED)
    Cooperative.objects.filter(pk=cooperative.pk).update(state=State.CERTIFIED)

    # When the officer rejects from the stale page
    with pytest.raises(CertificationError):
        cooperative_review(cooperative=stale, officer=officer, action="reject", reason="迟到的决定")

    # Then the approval stands
    assert Cooperative.objects.get(pk=cooperative.pk).state == State.CERTIFIED


def test_full_certification_round_is_kept_in_order(cooperative, staff, officer):
    # Given an application, a request for changes, a second application and an approval
    CooperativeDocumentFactory(cooperative=cooperative)
    cooperative_apply(cooperative=cooperative, actor=staff)
    cooperative_review(
        cooperative=cooperative, officer=officer, action="request_changes", reason="补充社员名册"
    )
    cooperative_apply(cooperative=cooperative, actor=staff)
    cooperative_review(cooperative=cooperative, officer=officer, action="approve")

    # Then the history lists each step, oldest first, with its actor
    history = list(cooperative_history(cooperative=cooperative))
    assert [(d.action, d.actor) for d in history] == [
        ("apply", staff),
        ("request_changes", officer),
        ("apply", staff),
        ("approve", officer),
    ]
    assert AuditEntry.objects.filter(action__startswith="cooperative.").count() == 4


# --- listing products ------------------------------------------------------------------------


@pytest.mark.parametrize("state", ALL_STATES)
def test_only_certified_cooperatives_can_list_products(state):
    cooperative = CooperativeFactory(state=state)

    assert cooperative_can_list_products(cooperative=cooperative) is (state == "certified")


def test_no_cooperative_cannot_list_products():
    assert cooperative_can_list_products(cooperative=None) is False


# --- evidence uploads ------------------------------------------------------------------------


def test_pdf_is_stored_under_a_generated_name(cooperative, staff, media):
    document = cooperative_document_add(
        cooperative=cooperative, actor=staff, kind=Kind.BUSINESS_LICENCE, file=upload(PDF_BYTES)
    )

    assert re.match(STORED_NAME.format(pk=cooperative.pk, extension="pdf"), document.file.name)
    assert (media / document.file.name).read_bytes() == PDF_BYTES
    assert (document.uploaded_by, document.kind) == (staff, Kind.BUSINESS_LICENCE)


@pytest.mark.parametrize(
    ("content", "extension"), [(PNG_BYTES, "png"), (JPEG_BYTES, "jpg")], ids=["png", "jpeg"]
)
def test_png_and_jpeg_are_accepted(cooperative, staff, content, extension):
    document = cooperative_document_add(
        cooperative=cooperative,
        actor=staff,
        kind=Kind.MEMBER_ROSTER,
        file=upload(content, "scan.png"),
    )

    assert document.file.name.endswith(f".{extension}")


@pytest.mark.parametrize(
    "content",
    [
        b"this is not a PDF at all",
        b"<html><script>alert(1)</script></html>",
        b"GIF89a\x01\x00\x01\x00",
        b"PK\x03\x04 a zipped office document",
        b" %PDF-1.4 leading space",
    ],
    ids=["text", "html", "gif", "zip", "offset-magic"],
)
def test_file_named_pdf_with_other_content_is_rejected(cooperative, staff, content, media):
    with pytest.raises(CertificationError) as excinfo:
        cooperative_document_add(
            cooperative=cooperative,
            actor=staff,
            kind=Kind.BUSINESS_LICENCE,
            file=upload(content, "licence.pdf"),
        )

    assert excinfo.value.message_dict == {
        "file": ["只能上传PDF、PNG或JPEG格式的文件；该文件的内容不是这几种格式。"]
    }
    assert not CooperativeDocument.objects.exists()
    assert list(media.iterdir()) == []


def test_file_over_the_configured_limit_is_rejected(cooperative, staff, settings):
    settings.PRODUCERS_DOCUMENT_MAX_BYTES = 1024

    with pytest.raises(CertificationError) as excinfo:
        cooperative_document_add(
            cooperative=cooperative,
            actor=staff,
            kind=Kind.BUSINESS_LICENCE,
            file=upload(PDF_BYTES + b"0" * 1024),
        )

    assert excinfo.value.error_dict["file"][0].code == "too_large"
    assert excinfo.value.messages == ["文件太大：最大允许1.0\xa0KB。"]
    assert not CooperativeDocument.objects.exists()


def test_file_at_the_configured_limit_is_accepted(cooperative, staff, settings):
    settings.PRODUCERS_DOCUMENT_MAX_BYTES = 1024
    content = PDF_BYTES + b"0" * (1024 - len(PDF_BYTES))

    document = cooperative_document_add(
        cooperative=cooperative, actor=staff, kind=Kind.BUSINESS_LICENCE, file=upload(content)
    )

    assert document.file.size == 1024


def test_default_limit_is_ten_megabytes(settings):
    if hasattr(django_settings, "PRODUCERS_DOCUMENT_MAX_BYTES"):
        del settings.PRODUCERS_DOCUMENT_MAX_BYTES

    assert document_max_bytes() == DEFAULT_DOCUMENT_MAX_BYTES == 10 * 1024 * 1024


def test_file_over_ten_megabytes_is_rejected_by_default(cooperative, staff):
    too_large = upload(PDF_BYTES + b"0" * (10 * 1024 * 1024))

    with pytest.raises(CertificationError):
        cooperative_document_add(
            cooperative=cooperative, actor=staff, kind=Kind.BUSINESS_LICENCE, file=too_large
        )


def test_empty_file_is_rejected(cooperative, staff):
    with pytest.raises(CertificationError) as excinfo:
        cooperative_document_add(
            cooperative=cooperative, actor=staff, kind=Kind.BUSINESS_LICENCE, file=upload(b"")
        )

    assert excinfo.value.messages == ["文件是空的。"]


@pytest.mark.parametrize(
    "name",
    [
        "../../../../etc/cron.d/evil.pdf",
        "..\\..\\windows\\system32\\evil.pdf",
        "/absolute/path/licence.pdf",
        "licence.php",
        "营业执照 (最终版).PDF",
        "no-extension",
    ],
)
def test_uploaded_name_and_path_tricks_are_ignored(cooperative, staff, media, name):
    # Given a PNG under a hostile or misleading name
    # When it is uploaded
    document = cooperative_document_add(
        cooperative=cooperative, actor=staff, kind=Kind.OTHER, file=upload(PNG_BYTES, name)
    )

    # Then it is stored under a generated name with the extension of its content, inside
    # the cooperative's folder of MEDIA_ROOT
    assert re.match(STORED_NAME.format(pk=cooperative.pk, extension="png"), document.file.name)
    stored = (media / document.file.name).resolve()
    assert stored.is_relative_to(media.resolve())
    assert [path.name for path in (media / "cooperatives" / str(cooperative.pk)).iterdir()] == [
        stored.name
    ]


def test_evidence_is_stored_privately_and_has_no_public_url(cooperative, staff, settings, tmp_path):
    # Given public media and private files in separate folders
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"

    # When a cooperative uploads its business licence
    document = cooperative_document_add(
        cooperative=cooperative, actor=staff, kind=Kind.BUSINESS_LICENCE, file=upload(PDF_BYTES)
    )

    # Then the file lies under the private root, nothing under MEDIA_ROOT serves it, and it
    # has no URL: only the permission-checked download view can hand it out
    assert (settings.PRIVATE_MEDIA_ROOT / document.file.name).is_file()
    assert not (settings.MEDIA_ROOT / document.file.name).exists()
    with pytest.raises(ValueError):
        _ = document.file.url


def test_upload_writes_an_audit_entry(cooperative, staff):
    document = cooperative_document_add(
        cooperative=cooperative,
        actor=staff,
        kind=Kind.BUSINESS_LICENCE,
        file=upload(PDF_BYTES),
        title="2024年换发",
    )

    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.target_id) == (
        staff,
        "cooperative.document.add",
        str(cooperative.pk),
    )
    assert entry.detail["document"] == document.pk
    assert document.title == "2024年换发"


def test_upload_is_refused_while_the_application_is_under_review(cooperative, staff):
    in_state(cooperative, State.APPLIED)

    with pytest.raises(CertificationError) as excinfo:
        cooperative_document_add(
            cooperative=cooperative, actor=staff, kind=Kind.OTHER, file=upload(PDF_BYTES)
        )

    assert excinfo.value.code == "documents_locked"
    assert not CooperativeDocument.objects.exists()


@pytest.mark.parametrize("state", ["draft", "changes_requested", "rejected", "certified"])
def test_upload_is_allowed_outside_review(cooperative, staff, state):
    in_state(cooperative, state)

    cooperative_document_add(
        cooperative=cooperative, actor=staff, kind=Kind.OTHER, file=upload(PDF_BYTES)
    )

    assert CooperativeDocument.objects.count() == 1


def test_unknown_document_kind_is_rejected(cooperative, staff):
    with pytest.raises(CertificationError) as excinfo:
        cooperative_document_add(
            cooperative=cooperative, actor=staff, kind="selfie", file=upload(PDF_BYTES)
        )

    assert "kind" in excinfo.value.message_dict


def test_staff_of_another_cooperative_cannot_upload(cooperative, media):
    outsider = CooperativeStaffFactory()

    with pytest.raises(PermissionDenied):
        cooperative_document_add(
            cooperative=cooperative, actor=outsider, kind=Kind.OTHER, file=upload(PDF_BYTES)
        )

    assert not CooperativeDocument.objects.exists()
    assert list(media.iterdir()) == []


def test_officer_cannot_upload_for_a_cooperative(cooperative, officer):
    with pytest.raises(PermissionDenied):
        cooperative_document_add(
            cooperative=cooperative, actor=officer, kind=Kind.OTHER, file=upload(PDF_BYTES)
        )


def test_certification_error_is_a_validation_error():
    assert issubclass(CertificationError, ValidationError)


# --- reading evidence ------------------------------------------------------------------------


def test_opening_a_document_is_audited(cooperative, officer):
    document = CooperativeDocumentFactory(cooperative=cooperative)

    with cooperative_document_open(document=document, user=officer) as file:
        assert file.read() == PDF_BYTES

    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.detail) == (
        officer,
        "cooperative.document.view",
        {"document": document.pk},
    )


def test_officer_of_another_county_cannot_open_a_document(cooperative):
    document = CooperativeDocumentFactory(cooperative=cooperative)
    other = CountyOfficerFactory(user__roles=[roles.COUNTY_OFFICER]).user

    with pytest.raises(PermissionDenied):
        cooperative_document_open(document=document, user=other)

    assert not AuditEntry.objects.exists()


# --- the queue -------------------------------------------------------------------------------


def test_queue_lists_waiting_cooperatives_first_oldest_application_first():
    # Given a county with cooperatives in several states, two of them waiting
    county = CountyFactory()
    village = VillageFactory(parent=TownshipFactory(parent=county))
    certified = CooperativeFactory(village=village, legal_name="A合作社", state="certified")
    later = CooperativeFactory(village=village, legal_name="B合作社", state="applied")
    earlier = CooperativeFactory(village=village, legal_name="C合作社", state="applied")
    draft = CooperativeFactory(village=village, legal_name="D合作社")
    for cooperative, day in ((earlier, 1), (later, 2)):
        decision = CooperativeDecisionFactory(cooperative=cooperative)
        CooperativeDecision.objects.filter(pk=decision.pk).update(
            created_at=timezone.now().replace(year=2024, month=5, day=day)
        )
    CooperativeFactory(state="applied")  # another county's

    # When the queue is read
    queue = list(cooperative_applications_for_county(county=county))

    # Then the waiting ones come first, in order of application, then the others by name
    assert queue == [earlier, later, certified, draft]
    assert queue[0].submitted_at is not None
    assert queue[2].submitted_at is None


def test_queue_carries_each_cooperatives_latest_decision():
    cooperative = CooperativeFactory(state="changes_requested")
    CooperativeDecisionFactory(cooperative=cooperative)
    latest = CooperativeDecisionFactory(
        cooperative=cooperative,
        action="request_changes",
        from_state="applied",
        to_state="changes_requested",
        reason="补充名册",
    )

    [row] = cooperative_applications_for_county(county=cooperative.county)

    assert row.latest_decisions == [latest]


def test_queue_can_be_filtered_by_state():
    county = CountyFactory()
    village = VillageFactory(parent=TownshipFactory(parent=county))
    waiting = CooperativeFactory(village=village, state="applied")
    CooperativeFactory(village=village, state="certified")

    assert list(cooperative_applications_for_county(county=county, state="applied")) == [waiting]


# --- concurrency (PostgreSQL, real threads) --------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="row locks need PostgreSQL (set DATABASE_URL)",
)
def test_concurrent_decisions_are_serialised_so_only_one_applies():
    # Given an application, and two officers of its county deciding at the same moment
    cooperative = CooperativeFactory(state=State.APPLIED)
    officers = [
        CountyOfficerFactory(county=cooperative.county, user__roles=[roles.COUNTY_OFFICER]).user
        for _ in range(2)
    ]
    start = threading.Barrier(2)
    outcomes = []

    def decide(officer, action):
        try:
            start.wait()
            cooperative_review(
                cooperative=cooperative, officer=officer, action=action, reason="同时决定"
            )
            outcomes.append("ok")
        except CertificationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(officers[0], "approve")),
        threading.Thread(target=decide, args=(officers[1], "reject")),
    ]

    # When both decide
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    # Then exactly one decision applies and the other is refused against the new state
    assert sorted(outcomes) == ["ok", "refused"]
    decision = CooperativeDecision.objects.get()
    assert Cooperative.objects.get(pk=cooperative.pk).state == decision.to_state
    assert decision.from_state == State.APPLIED
