"""Income of households from other sources (其他收入), recorded by the county office that
owns the household, so the monitoring sees more than platform income. Every record and
every voiding is audited; nothing is deleted."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from producers.access import officer_county
from producers.models import Household
from producers.services.audit import audit_record

from ..models import OtherIncome


def _officer_of(officer, household: Household) -> None:
    county = officer_county(officer)
    if county is None or county.pk != household.county_id:
        raise PermissionDenied


@transaction.atomic
def other_income_record(
    *, officer, household: Household, year: int, source: str, amount, note: str = ""
) -> OtherIncome:
    _officer_of(officer, household)
    record = OtherIncome(
        household=household,
        year=year,
        source=source,
        amount=amount,
        note=(note or "").strip(),
        recorded_by=officer,
        recorded_at=timezone.now(),
    )
    this_year = timezone.localdate().year
    if not isinstance(year, int) or not this_year - 5 <= year <= this_year:
        message = _("年度应在%(first)s到%(last)s之间。") % {
            "first": this_year - 5,
            "last": this_year,
        }
        raise ValidationError({"year": message})
    record.full_clean(exclude=["recorded_by", "household"])
    record.save()
    audit_record(
        actor=officer,
        action="other_income.record",
        target=household,
        other_income=record.pk,
        year=year,
        source=source,
        amount=str(record.amount),
    )
    return record


@transaction.atomic
def other_income_void(*, officer, record: OtherIncome, reason: str) -> OtherIncome:
    record = OtherIncome.objects.select_for_update().select_related("household").get(pk=record.pk)
    _officer_of(officer, record.household)
    if record.voided_at is not None:
        raise ValidationError(_("该记录已作废。"), code="voided")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"void_reason": _("请填写作废原因。")})
    record.voided_by, record.voided_at, record.void_reason = officer, timezone.now(), reason[:200]
    record.save(update_fields=["voided_by", "voided_at", "void_reason"])
    audit_record(
        actor=officer,
        action="other_income.void",
        target=record.household,
        other_income=record.pk,
        amount=str(record.amount),
        reason=record.void_reason,
    )
    return record
