"""Payouts: money a cooperative hands its households against their attributed income."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.money import to_yuan
from producers.models import BenefitLink, Cooperative, Household
from producers.services.audit import audit_record
from producers.validators import validate_image_upload

from ..models import LedgerEntry, Payout

RECEIPT_MAX_BYTES = 5 * 1024 * 1024
# A receipt is recognised by its first bytes, never by its name or declared content type.
RECEIPT_SIGNATURES = ((b"%PDF-", "pdf"), (b"\x89PNG\r\n\x1a\n", "png"), (b"\xff\xd8\xff", "jpg"))


def receipt_check(file) -> str:
    """The receipt's extension by content: PDF, PNG or JPEG up to 5 MB, or ValidationError."""
    if not file.size:
        raise ValidationError({"receipt": _("收据文件是空的。")})
    if file.size > RECEIPT_MAX_BYTES:
        raise ValidationError({"receipt": _("收据文件太大：最大允许5 MB。")})
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    for signature, extension in RECEIPT_SIGNATURES:
        if head.startswith(signature):
            if extension != "pdf":
                try:
                    validate_image_upload(file)
                except ValidationError as error:
                    raise ValidationError({"receipt": error}) from error
            return extension
    raise ValidationError({"receipt": _("收据只能是PDF、PNG或JPEG格式。")})


def household_belongs_to(*, cooperative: Cooperative, household: Household) -> bool:
    """A household is the cooperative's if it is linked to it or has income from it."""
    return (
        BenefitLink.objects.filter(cooperative=cooperative, household=household).exists()
        or LedgerEntry.objects.filter(cooperative=cooperative, household=household).exists()
    )


def payout_record(
    *,
    cooperative: Cooperative,
    household: Household,
    amount: Decimal,
    paid_on: datetime.date,
    method: str,
    reference: str = "",
    receipt=None,
    actor,
) -> Payout:
    """The cooperative records that it paid a household (a payment already made)."""
    if not household_belongs_to(cooperative=cooperative, household=household):
        raise PermissionDenied
    amount = to_yuan(amount)
    if amount <= 0:
        raise ValidationError({"amount": _("兑付金额必须大于0。")})
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("兑付日期不能晚于今天。")})
    if receipt:
        receipt.name = f"receipt.{receipt_check(receipt)}"
    payout = Payout(
        cooperative=cooperative,
        household=household,
        amount=amount,
        paid_on=paid_on,
        method=method,
        reference=reference.strip(),
        recorded_by=actor,
    )
    payout.full_clean(exclude=["receipt"])
    with transaction.atomic():
        if receipt:
            payout.receipt = receipt
        payout.save()
        audit_record(actor=actor, action="payout.record", target=payout)
    return payout
