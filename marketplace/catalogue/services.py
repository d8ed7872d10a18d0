"""Poverty-alleviation product certification (扶贫产品认定): cooperatives request it for a
product, the county office of the product's county issues, suspends, reinstates or
revokes it, and certificates past their validity expire nightly."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from core.transactions import retry_on_serialization_failure
from producers.access import officer_county, staff_cooperative
from producers.services.audit import audit_record

Product = get_model("catalogue", "Product")
ProductCertificate = get_model("catalogue", "ProductCertificate")
CertificateEvent = get_model("catalogue", "CertificateEvent")
State = ProductCertificate.State


class CertificationError(ValidationError):
    pass


def _officer_check(*, officer, product) -> None:
    county = officer_county(officer)
    if (
        county is None
        or product.cooperative is None
        or product.cooperative.county_id != county.pk
        or not officer.has_perm("catalogue.certify_product")
    ):
        raise PermissionDenied


def _transition(*, certificate, to_state: str, actor, reason: str = "") -> ProductCertificate:
    from_state = certificate.state
    certificate.state = to_state
    certificate.full_clean()
    certificate.save()
    CertificateEvent.objects.create(
        certificate=certificate,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        actor=actor,
    )
    if actor is not None:
        audit_record(
            actor=actor,
            action=f"certificate.{to_state}",
            target=certificate,
            from_state=from_state,
            reason=reason,
        )
    return certificate


def _locked(certificate: ProductCertificate) -> ProductCertificate:
    return (
        # Lock only the certificate row: PostgreSQL refuses FOR UPDATE across a nullable join.
        ProductCertificate.objects.select_for_update(of=("self",))
        .select_related("product__cooperative")
        .get(pk=certificate.pk)
    )


@retry_on_serialization_failure
@transaction.atomic
def certificate_request(*, product, requester) -> ProductCertificate:
    """A cooperative asks its county office to certify one of its products."""
    cooperative = staff_cooperative(requester)
    if (
        cooperative is None
        or product.cooperative_id != cooperative.pk
        or not requester.has_perm("catalogue.add_productcertificate")
    ):
        raise PermissionDenied
    if not cooperative.is_certified:
        raise CertificationError(_("合作社通过供应商认定后才能申请扶贫产品认定。"))
    open_states = (State.PENDING, State.CERTIFIED, State.SUSPENDED)
    if product.certificates.filter(state__in=open_states).exists():
        raise CertificationError(_("该产品已有待审或有效的认定，不能重复申请。"))
    certificate = ProductCertificate.objects.create(product=product, requested_by=requester)
    CertificateEvent.objects.create(
        certificate=certificate, from_state="", to_state=State.PENDING, actor=requester
    )
    audit_record(actor=requester, action="certificate.request", target=certificate)
    return certificate


@retry_on_serialization_failure
@transaction.atomic
def certificate_issue(
    *,
    certificate: ProductCertificate,
    officer,
    number: str,
    valid_from: datetime.date,
    valid_to: datetime.date,
    households_involved: int,
) -> ProductCertificate:
    """The county office certifies the product for a period."""
    certificate = _locked(certificate)
    _officer_check(officer=officer, product=certificate.product)
    if certificate.state != State.PENDING:
        raise CertificationError(_("只有待认定的申请可以认定。"))
    if ProductCertificate.objects.filter(number=number.strip()).exclude(pk=certificate.pk).exists():
        raise CertificationError({"number": _("该认定证书编号已被使用。")})
    certificate.number = number.strip()
    certificate.valid_from = valid_from
    certificate.valid_to = valid_to
    certificate.households_involved = households_involved
    certificate.issued_by = officer
    certificate.issued_at = timezone.now()
    return _transition(certificate=certificate, to_state=State.CERTIFIED, actor=officer)


@retry_on_serialization_failure
@transaction.atomic
def certificate_reject(*, certificate, officer, reason: str) -> ProductCertificate:
    return _officer_decision(
        certificate=certificate,
        officer=officer,
        reason=reason,
        allowed_from=(State.PENDING,),
        to_state=State.REJECTED,
    )


@retry_on_serialization_failure
@transaction.atomic
def certificate_suspend(*, certificate, officer, reason: str) -> ProductCertificate:
    return _officer_decision(
        certificate=certificate,
        officer=officer,
        reason=reason,
        allowed_from=(State.CERTIFIED,),
        to_state=State.SUSPENDED,
    )


@retry_on_serialization_failure
@transaction.atomic
def certificate_reinstate(*, certificate, officer, reason: str = "") -> ProductCertificate:
    return _officer_decision(
        certificate=certificate,
        officer=officer,
        reason=reason,
        allowed_from=(State.SUSPENDED,),
        to_state=State.CERTIFIED,
        reason_required=False,
    )


@retry_on_serialization_failure
@transaction.atomic
def certificate_revoke(*, certificate, officer, reason: str) -> ProductCertificate:
    return _officer_decision(
        certificate=certificate,
        officer=officer,
        reason=reason,
        allowed_from=(State.CERTIFIED, State.SUSPENDED),
        to_state=State.REVOKED,
    )


def _officer_decision(
    *, certificate, officer, reason, allowed_from, to_state, reason_required=True
) -> ProductCertificate:
    certificate = _locked(certificate)
    _officer_check(officer=officer, product=certificate.product)
    if certificate.state not in allowed_from:
        raise CertificationError(
            _("当前状态为“%(state)s”，不能执行此操作。")
            % {"state": certificate.get_state_display()}
        )
    if reason_required and not reason.strip():
        raise CertificationError({"reason": _("请填写理由。")})
    return _transition(
        certificate=certificate, to_state=to_state, actor=officer, reason=reason.strip()
    )


@retry_on_serialization_failure
@transaction.atomic
def certificates_expire(*, today: datetime.date | None = None) -> int:
    """Mark certified certificates whose validity ended before `today` as expired."""
    today = today or timezone.localdate()
    expired = list(
        ProductCertificate.objects.select_for_update()
        .filter(state=State.CERTIFIED, valid_to__lt=today)
        .order_by("pk")
    )
    for certificate in expired:
        _transition(
            certificate=certificate,
            to_state=State.EXPIRED,
            actor=None,
            reason=str(_("有效期已于%(date)s届满") % {"date": certificate.valid_to}),
        )
    return len(expired)
