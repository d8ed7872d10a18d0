"""Supplier certification of cooperatives (供应商认定).

A cooperative's staff upload evidence and apply; the county office of the cooperative's
county approves, rejects (with a reason) or asks for changes (with a reason), and may later
suspend (with a reason) and reinstate a certified cooperative. Every step is one
CooperativeDecision (who, when, from which state to which, why) plus an audit entry, written
in one transaction that holds the cooperative's row lock, so concurrent decisions are
serialised and each sees the state the previous one left.

    draft / changes_requested / rejected --apply--> applied
    applied --approve--> certified
    applied --reject--> rejected
    applied --request_changes--> changes_requested
    certified --suspend--> suspended --reinstate--> certified
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from core.transactions import retry_on_serialization_failure

from ..access import officer_county
from ..models import Cooperative, CooperativeDecision, CooperativeDocument
from ..validators import validate_image_upload
from .audit import audit_record

State = Cooperative.State
Action = CooperativeDecision.Action

DEFAULT_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024  # settings.PRODUCERS_DOCUMENT_MAX_BYTES overrides

# Evidence is recognised by its first bytes, never by its name or declared content type.
DOCUMENT_SIGNATURES = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
)

# Evidence is frozen while the county office reviews it.
DOCUMENT_LOCKED_STATES = (State.APPLIED,)


class CertificationError(ValidationError):
    """A certification step that the cooperative's current state or data does not allow."""


@dataclass(frozen=True)
class Transition:
    from_states: tuple[str, ...]
    to_state: str
    reason_required: bool = False


TRANSITIONS: dict[str, Transition] = {
    Action.APPLY: Transition((State.DRAFT, State.CHANGES_REQUESTED, State.REJECTED), State.APPLIED),
    Action.APPROVE: Transition((State.APPLIED,), State.CERTIFIED),
    Action.REJECT: Transition((State.APPLIED,), State.REJECTED, reason_required=True),
    Action.REQUEST_CHANGES: Transition(
        (State.APPLIED,), State.CHANGES_REQUESTED, reason_required=True
    ),
    Action.SUSPEND: Transition((State.CERTIFIED,), State.SUSPENDED, reason_required=True),
    Action.REINSTATE: Transition((State.SUSPENDED,), State.CERTIFIED),
}
REVIEW_ACTIONS = (
    Action.APPROVE,
    Action.REJECT,
    Action.REQUEST_CHANGES,
    Action.SUSPEND,
    Action.REINSTATE,
)


def document_max_bytes() -> int:
    return getattr(settings, "PRODUCERS_DOCUMENT_MAX_BYTES", DEFAULT_DOCUMENT_MAX_BYTES)


def review_actions_allowed(*, state: str) -> list[str]:
    """The county office's decisions open to a cooperative in `state`, in display order."""
    return [action for action in REVIEW_ACTIONS if state in TRANSITIONS[action].from_states]


def can_apply(*, state: str) -> bool:
    return state in TRANSITIONS[Action.APPLY].from_states


def can_add_documents(*, state: str) -> bool:
    return state not in DOCUMENT_LOCKED_STATES


# --- checks ----------------------------------------------------------------------------------


def _is_staff_of(*, user, cooperative: Cooperative) -> bool:
    return (
        user.is_authenticated
        and Cooperative.objects.filter(pk=cooperative.pk, partner__users=user).exists()
    )


def _staff_check(*, actor, cooperative: Cooperative) -> None:
    if not _is_staff_of(user=actor, cooperative=cooperative) or not actor.has_perm(
        "producers.add_cooperativedocument"
    ):
        raise PermissionDenied


def _officer_check(*, officer, cooperative: Cooperative) -> None:
    county = officer_county(officer)
    if (
        county is None
        or county.pk != cooperative.county_id
        or not officer.has_perm("producers.review_cooperative")
    ):
        raise PermissionDenied


def _locked(cooperative: Cooperative) -> Cooperative:
    """The cooperative's row, locked until the transaction ends (no joins: nothing else locks)."""
    return Cooperative.objects.select_for_update().get(pk=cooperative.pk)


def _document_extension(file) -> str:
    """The extension for an evidence file's content; refuses anything but PDF, PNG or JPEG."""
    limit = document_max_bytes()
    size = getattr(file, "size", None)
    if size is not None and size > limit:
        raise CertificationError(
            {
                "file": ValidationError(
                    _("文件太大：最大允许%(limit)s。"),
                    code="too_large",
                    params={"limit": filesizeformat(limit)},
                )
            }
        )
    if not size:
        raise CertificationError({"file": ValidationError(_("文件是空的。"), code="empty")})
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    for signature, extension in DOCUMENT_SIGNATURES:
        if head.startswith(signature):
            if extension != "pdf":
                try:
                    validate_image_upload(file)
                except ValidationError as error:
                    raise CertificationError({"file": error}) from error
            return extension
    raise CertificationError(
        {
            "file": ValidationError(
                _("只能上传PDF、PNG或JPEG格式的文件；该文件的内容不是这几种格式。"),
                code="file_type",
            )
        }
    )


def _allowed_transition(*, cooperative: Cooperative, action: str) -> Transition:
    transition = TRANSITIONS[action]
    if cooperative.state not in transition.from_states:
        raise CertificationError(
            _("合作社当前的认定状态是“%(state)s”，不能%(action)s。"),
            code="invalid_transition",
            params={"state": State(cooperative.state).label, "action": Action(action).label},
        )
    return transition


def _transition(
    *, cooperative: Cooperative, action: str, actor, reason: str = ""
) -> CooperativeDecision:
    """Move the locked `cooperative` by `action`; record the decision and the audit entry."""
    transition = _allowed_transition(cooperative=cooperative, action=action)
    reason = (reason or "").strip()
    if transition.reason_required and not reason:
        raise CertificationError(
            {"reason": ValidationError(_("请填写理由。"), code="reason_required")}
        )
    from_state = cooperative.state
    Cooperative.objects.filter(pk=cooperative.pk).update(state=transition.to_state)
    cooperative.state = transition.to_state
    decision = CooperativeDecision.objects.create(
        cooperative=cooperative,
        action=action,
        from_state=from_state,
        to_state=transition.to_state,
        reason=reason,
        actor=actor,
    )
    audit_record(
        actor=actor,
        action=f"cooperative.{action}",
        target=cooperative,
        decision=decision.pk,
        from_state=from_state,
        to_state=transition.to_state,
        reason=reason,
    )
    return decision


# --- services --------------------------------------------------------------------------------


@transaction.atomic
def cooperative_document_add(
    *, cooperative: Cooperative, actor, kind: str, file: File, title: str = ""
) -> CooperativeDocument:
    """The cooperative's staff add one evidence file (PDF, PNG or JPEG, by content). The file
    is stored under a generated name; the uploaded name is never used."""
    _staff_check(actor=actor, cooperative=cooperative)
    cooperative = _locked(cooperative)
    if not can_add_documents(state=cooperative.state):
        raise CertificationError(
            _("认定申请正在审核中，审核结束前不能添加材料。"), code="documents_locked"
        )
    if kind not in CooperativeDocument.Kind.values:
        raise CertificationError(
            {"kind": ValidationError(_("请选择材料类型。"), code="invalid_kind")}
        )
    extension = _document_extension(file)
    document = CooperativeDocument(
        cooperative=cooperative, kind=kind, title=(title or "").strip(), uploaded_by=actor
    )
    document.full_clean(exclude=["file"])
    # The name passed here only carries the extension read from the content; the model's
    # upload_to turns it into cooperatives/<id>/<random>.<extension>.
    document.file.save(f"document.{extension}", file, save=False)
    document.save()
    audit_record(
        actor=actor,
        action="cooperative.document.add",
        target=cooperative,
        document=document.pk,
        kind=kind,
        stored_name=document.file.name,
    )
    return document


@retry_on_serialization_failure
@transaction.atomic
def cooperative_apply(*, cooperative: Cooperative, actor) -> CooperativeDecision:
    """The cooperative's staff submit the application to their county office."""
    _staff_check(actor=actor, cooperative=cooperative)
    cooperative = _locked(cooperative)
    _allowed_transition(cooperative=cooperative, action=Action.APPLY)
    if not cooperative.documents.filter(kind=CooperativeDocument.Kind.BUSINESS_LICENCE).exists():
        raise CertificationError(
            _("请先上传营业执照，再提交认定申请。"), code="business_licence_missing"
        )
    return _transition(cooperative=cooperative, action=Action.APPLY, actor=actor)


@retry_on_serialization_failure
@transaction.atomic
def cooperative_review(
    *, cooperative: Cooperative, officer, action: str, reason: str = ""
) -> CooperativeDecision:
    """The county office decides: approve, reject, request_changes, suspend or reinstate.
    Returns the decision; decision.cooperative carries the new state."""
    if action not in REVIEW_ACTIONS:
        raise ValueError(f"Not a county office decision: {action!r}")
    _officer_check(officer=officer, cooperative=cooperative)
    cooperative = _locked(cooperative)
    return _transition(cooperative=cooperative, action=action, actor=officer, reason=reason)


def cooperative_document_open(*, document: CooperativeDocument, user) -> File:
    """An evidence file opened for reading by the cooperative's staff or by an officer of its
    county; every opening is audited, since rosters carry personal data."""
    cooperative = document.cooperative
    county = officer_county(user)
    is_officer = county is not None and county.pk == cooperative.county_id
    is_staff = _is_staff_of(user=user, cooperative=cooperative)
    if not (is_officer or is_staff) or not user.has_perm("producers.view_cooperativedocument"):
        raise PermissionDenied
    audit_record(
        actor=user, action="cooperative.document.view", target=cooperative, document=document.pk
    )
    return document.file.open("rb")
