"""Cooperatives register how households benefit from them: links, wage records, schemes."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.transactions import retry_on_serialization_failure

from ..access import staff_cooperative
from ..models import BenefitKind, BenefitLink, BenefitScheme, Cooperative, Household, WageRecord
from .audit import audit_record


def cooperative_staff_check(*, actor, cooperative: Cooperative, permission: str) -> None:
    """Only staff of this very cooperative, holding the permission, may act for it."""
    own = staff_cooperative(actor)
    if own is None or own.pk != cooperative.pk or not actor.has_perm(permission):
        raise PermissionDenied


def household_linkable_check(*, cooperative: Cooperative, household: Household) -> None:
    if household.county_id != cooperative.county_id:
        raise ValidationError(
            {"household": _("只能联结合作社所在县的建档立卡户。")}, code="other_county"
        )


@transaction.atomic
def benefit_link_create(
    *,
    actor,
    cooperative: Cooperative,
    household: Household,
    kind: str,
    started_on: datetime.date,
    supply_share: Decimal | None = None,
    equity_shares: Decimal | None = None,
) -> BenefitLink:
    """Link a household of the cooperative's county to it by produce, wages or dividends."""
    cooperative_staff_check(
        actor=actor, cooperative=cooperative, permission="producers.add_benefitlink"
    )
    household_linkable_check(cooperative=cooperative, household=household)
    open_links = BenefitLink.objects.filter(
        cooperative=cooperative, household=household, kind=kind, ended_on__isnull=True
    )
    if open_links.exists():
        raise ValidationError({"kind": _("该农户已有这种联结方式的联结。")}, code="duplicate_link")
    link = BenefitLink(
        cooperative=cooperative,
        household=household,
        kind=kind,
        supply_share=supply_share,
        equity_shares=equity_shares,
        started_on=started_on,
    )
    link.full_clean()
    link.save()
    audit_record(
        actor=actor,
        action="benefit_link.create",
        target=link,
        household=household.pk,
        kind=kind,
    )
    return link


@transaction.atomic
def benefit_link_end(*, actor, link: BenefitLink, ended_on: datetime.date) -> BenefitLink:
    """End a link from a date on; the link and its history stay."""
    cooperative_staff_check(
        actor=actor, cooperative=link.cooperative, permission="producers.change_benefitlink"
    )
    if link.ended_on is not None:
        raise ValidationError({"ended_on": _("该联结已经结束。")}, code="already_ended")
    link.ended_on = ended_on
    link.full_clean()
    link.save(update_fields=["ended_on"])
    audit_record(actor=actor, action="benefit_link.end", target=link, ended_on=ended_on.isoformat())
    return link


@transaction.atomic
def wage_record_add(
    *,
    actor,
    link: BenefitLink,
    period_start: datetime.date,
    period_end: datetime.date,
    days_worked: Decimal,
    wages_paid: Decimal,
) -> WageRecord:
    """Record the work a household did for the cooperative in a period (wage-labour links)."""
    cooperative_staff_check(
        actor=actor, cooperative=link.cooperative, permission="producers.add_wagerecord"
    )
    record = WageRecord(
        link=link,
        period_start=period_start,
        period_end=period_end,
        days_worked=days_worked,
        wages_paid=wages_paid,
    )
    record.full_clean()
    record.save()
    audit_record(
        actor=actor,
        action="wage_record.add",
        target=record,
        link=link.pk,
        period=[period_start.isoformat(), period_end.isoformat()],
    )
    return record


@retry_on_serialization_failure
@transaction.atomic
def benefit_scheme_version_add(
    *,
    actor,
    cooperative: Cooperative,
    effective_from: datetime.date,
    produce_share: Decimal,
    wage_share: Decimal,
    dividend_share: Decimal,
    note: str = "",
) -> BenefitScheme:
    """A new version of the cooperative's scheme. Old versions are never edited, and a new
    one must start after the latest, so sales already attributed keep their scheme."""
    cooperative_staff_check(
        actor=actor, cooperative=cooperative, permission="producers.add_benefitscheme"
    )
    latest = (
        BenefitScheme.objects.select_for_update()
        .filter(cooperative=cooperative)
        .order_by("-effective_from")
        .first()
    )
    if latest is not None and effective_from <= latest.effective_from:
        raise ValidationError(
            {
                "effective_from": _("新版本的生效日期必须晚于最新版本的生效日期（%(date)s）。")
                % {"date": latest.effective_from.isoformat()}
            },
            code="not_after_latest",
        )
    scheme = BenefitScheme(
        cooperative=cooperative,
        effective_from=effective_from,
        produce_share=produce_share,
        wage_share=wage_share,
        dividend_share=dividend_share,
        note=note,
        created_by=actor,
    )
    scheme.full_clean()
    scheme.save()
    audit_record(
        actor=actor,
        action="benefit_scheme.version_add",
        target=scheme,
        effective_from=effective_from.isoformat(),
        shares={
            BenefitKind.PRODUCE_SUPPLY.value: str(produce_share),
            BenefitKind.WAGE_LABOUR.value: str(wage_share),
            BenefitKind.DIVIDEND.value: str(dividend_share),
        },
    )
    return scheme
