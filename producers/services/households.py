"""County offices keep the household register (建档立卡户): create, correct, reveal."""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..access import officer_county
from ..models import Household, Region
from ..models.households import head_name_mask
from .audit import audit_record

# The personal and register fields an officer may set; the county follows from the village.
HOUSEHOLD_FIELDS = (
    "register_number",
    "head_name",
    "phone",
    "village",
    "size",
    "status",
    "baseline_income_per_head",
    "registered_year",
    "left_register_on",
)
REGISTER_NUMBER_PATTERN = re.compile(r"^[0-9A-Z]{6,32}$")


def register_number_normalise(value: str) -> str:
    return (value or "").strip().upper()


def register_number_validate(value: str) -> None:
    if not REGISTER_NUMBER_PATTERN.match(value):
        raise ValidationError(
            {"register_number": _("建档立卡编号应为6到32位数字或大写字母。")},
            code="register_number",
        )


def _officer_county_or_refuse(officer, permission: str) -> Region:
    county = officer_county(officer)
    if county is None or not officer.has_perm(permission):
        raise PermissionDenied
    return county


def _village_in_county(village: Region, county: Region) -> None:
    parent = village.parent if village.parent_id else None
    if parent is None or parent.parent_id != county.pk:
        raise ValidationError({"village": _("只能选择本县的村。")}, code="other_county")


def _unknown_fields(fields: dict) -> None:
    unknown = set(fields) - set(HOUSEHOLD_FIELDS)
    if unknown:
        raise TypeError(f"Unknown household fields: {sorted(unknown)}")


@transaction.atomic
def household_create(*, officer, **fields) -> Household:
    """A county officer registers a household of a village in their own county."""
    county = _officer_county_or_refuse(officer, "producers.add_household")
    _unknown_fields(fields)
    fields["register_number"] = register_number_normalise(fields.get("register_number", ""))
    register_number_validate(fields["register_number"])
    household = Household(**fields)
    if household.village_id:
        _village_in_county(household.village, county)
    household.full_clean(exclude=["county", "register_number_index"])
    household.save()
    audit_record(
        actor=officer,
        action="household.create",
        target=household,
        fields=sorted(name for name in fields if fields[name] not in ("", None)),
    )
    return household


@transaction.atomic
def household_update(*, officer, household: Household, **fields) -> Household:
    """The officer of the household's county changes it; the audit lists field names only."""
    county = _officer_county_or_refuse(officer, "producers.change_household")
    if household.county_id != county.pk:
        raise PermissionDenied
    if household.is_erased:
        raise ValidationError(_("该户的个人信息已按保存期限删除，记录不能再修改。"), code="erased")
    _unknown_fields(fields)
    if "register_number" in fields:
        fields["register_number"] = register_number_normalise(fields["register_number"])
        register_number_validate(fields["register_number"])
    changed = []
    for name, value in fields.items():
        if getattr(household, name) != value:
            setattr(household, name, value)
            changed.append(name)
    if not changed:
        return household
    if "village" in changed:
        _village_in_county(household.village, county)
    household.full_clean(exclude=["county", "register_number_index"])
    household.save()
    audit_record(actor=officer, action="household.update", target=household, fields=changed)
    return household


def household_register_number_reveal(*, user, household: Household) -> str:
    """The full register number, for an officer of the owning county only; always audited."""
    county = officer_county(user)
    if (
        county is None
        or household.county_id != county.pk
        or not user.has_perm("producers.view_household_register")
        or household.is_erased
    ):
        raise PermissionDenied
    audit_record(actor=user, action="household.register_number.view", target=household)
    return household.register_number


# The household's personal fields the retention run erases (the audit names these only).
ERASED_FIELDS = ("register_number", "phone", "head_name")


@transaction.atomic
def household_personal_data_erase(*, household: Household, retention_years: int) -> bool:
    """Erase a household's personal data for good (PIPL: kept no longer than needed): the
    register number and phone are cleared, the head's name is masked to its first character.
    The row stays, so its ledger entries, payouts and facts still add up; the blind index
    becomes a marker, which frees the number for a new registration. Audited by the platform
    (no actor) with field names only. False when it was already erased (idempotent)."""
    erased = Household.objects.filter(pk=household.pk, personal_data_erased_at__isnull=True).update(
        register_number="",
        register_number_index=f"erased:{household.pk}",
        phone="",
        head_name=head_name_mask(household.head_name),
        personal_data_erased_at=timezone.now(),
    )
    if not erased:
        return False
    household.refresh_from_db()
    audit_record(
        actor=None,
        action="household.personal_data.erase",
        target=household,
        fields=list(ERASED_FIELDS),
        retention_years=retention_years,
    )
    return True
