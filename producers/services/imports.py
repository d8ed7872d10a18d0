"""CSV import of households (county offices) and benefit links (cooperatives).

Every row is validated in full and every problem is reported as (line, message), the header
being line 1. A file with any bad row imports nothing. Problems with the file itself (too
large, not text, unreadable encoding) raise ValidationError before any row is read.
"""

import csv
import datetime
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import csvsafe
from core.money import MoneyError, parse_yuan

from .. import crypto
from ..access import officer_county
from ..models import AuditEntry, BenefitKind, BenefitLink, Cooperative, Household, Region
from ..models.households import register_number_taken_message
from .benefits import cooperative_staff_check
from .households import REGISTER_NUMBER_PATTERN, register_number_normalise

DEFAULT_MAX_BYTES = 2 * 1024 * 1024
BATCH_SIZE = 500


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


@dataclass
class ImportResult:
    created: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True)
class Column:
    name: str
    label: str  # the Chinese header written in the template
    aliases: tuple[str, ...] = ()
    required: bool = True


HOUSEHOLD_COLUMNS = (
    Column("register_number", "建档立卡编号", ("建档立卡号", "编号")),
    Column("head_name", "户主姓名", ("户主",)),
    Column("phone", "联系电话", ("电话", "手机号码", "手机"), required=False),
    Column("village_code", "村代码", ("村区划代码", "行政村代码")),
    Column("size", "家庭人口", ("家庭人口数", "人口")),
    Column("status", "状态", ("户状态", "脱贫状态")),
    Column("baseline_income_per_head", "人均基础年收入", ("人均纯收入", "人均收入")),
    Column("registered_year", "建档立卡年份", ("建档年份",)),
)

LINK_COLUMNS = (
    Column("register_number", "建档立卡编号", ("建档立卡号", "编号")),
    Column("kind", "联结方式", ("联结类型",)),
    Column("supply_share", "供货份额", (), required=False),
    Column("equity_shares", "入股金额", ("入股资金",), required=False),
    Column("started_on", "开始日期", ("联结日期", "起始日期")),
)

STATUS_ALIASES = {
    "贫困户": Household.Status.POOR,
    "未脱贫户": Household.Status.POOR,
    "脱贫户": Household.Status.EXITED,
    "监测": Household.Status.MONITORED,
    "监测对象": Household.Status.MONITORED,
}
KIND_ALIASES = {
    "产品收购": BenefitKind.PRODUCE_SUPPLY,
    "供货": BenefitKind.PRODUCE_SUPPLY,
    "务工": BenefitKind.WAGE_LABOUR,
    "就业": BenefitKind.WAGE_LABOUR,
    "分红": BenefitKind.DIVIDEND,
    "入股": BenefitKind.DIVIDEND,
}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


# --- reading the file ------------------------------------------------------------------------


def max_import_bytes() -> int:
    return getattr(settings, "PRODUCERS_IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)


def _read_text(file) -> str:
    """Bytes of an upload as text: UTF-8 (with or without BOM), or GBK/GB18030."""
    return csvsafe.upload_decode(file, max_bytes=max_import_bytes())


def _header_key(text: str) -> str:
    """'  人均基础年收入（元）* ' -> '人均基础年收入'; 'Register_Number' -> 'register_number'."""
    key = text.replace("\ufeff", "").replace("\u3000", " ").strip().strip("*").strip()
    for opening, closing in (("（", "）"), ("(", ")")):
        if opening in key and key.endswith(closing):
            key = key[: key.index(opening)].strip()
    return key.lower()


def _column_lookup(columns: Iterable[Column]) -> dict[str, Column]:
    lookup = {}
    for column in columns:
        for name in (column.name, column.label, *column.aliases):
            lookup[_header_key(name)] = column
    return lookup


def _choice_lookup(choices, aliases: dict[str, str]) -> dict[str, str]:
    lookup = {code.lower(): code for code, _label in choices}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            lookup.update({str(label).strip().lower(): code for code, label in choices})
    lookup.update({alias.lower(): str(code) for alias, code in aliases.items()})
    return lookup


@dataclass
class _Row:
    line: int
    values: dict[str, str]


def _read_rows(text: str, columns: tuple[Column, ...], result: ImportResult) -> list[_Row] | None:
    """The data rows keyed by column name, or None (with header errors in `result`)."""
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ValidationError(
            _("无法读取CSV文件：%(reason)s") % {"reason": exc}, code="malformed"
        ) from exc
    lookup = _column_lookup(columns)
    header = records[0] if records else []
    positions: dict[str, int] = {}
    unknown, repeated = [], []
    for position, cell in enumerate(header):
        key = _header_key(cell)
        if not key:
            continue
        column = lookup.get(key)
        if column is None:
            unknown.append(cell.strip())
        elif column.name in positions:
            repeated.append(cell.strip())
        else:
            positions[column.name] = position
    missing = [c.label for c in columns if c.required and c.name not in positions]
    if missing:
        result.errors.append(
            RowError(1, _("缺少列：%(columns)s。") % {"columns": "、".join(missing)})
        )
    if unknown:
        result.errors.append(
            RowError(1, _("无法识别的列：%(columns)s。") % {"columns": "、".join(unknown)})
        )
    if repeated:
        result.errors.append(
            RowError(1, _("重复的列：%(columns)s。") % {"columns": "、".join(repeated)})
        )
    if result.errors:
        return None
    rows = []
    for line, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        extra = [cell for cell in record[len(header) :] if cell.strip()]
        if extra:
            result.errors.append(RowError(line, _("该行的列数多于表头。")))
            continue
        values = {
            name: (record[position].strip() if position < len(record) else "")
            for name, position in positions.items()
        }
        rows.append(_Row(line, values))
    if not rows and not result.errors:
        result.errors.append(RowError(1, _("文件中只有表头，没有数据行。")))
    return rows


# --- parsing values --------------------------------------------------------------------------


class _Invalid(Exception):
    pass


def _required(value: str, label: str) -> str:
    if not value:
        raise _Invalid(_("%(column)s不能为空。") % {"column": label})
    return value


def _integer(value: str, label: str, *, minimum: int, maximum: int) -> int:
    _required(value, label)
    text = value[:-2] if value.endswith(".0") else value  # Excel sometimes writes 4.0
    if not (text.isdecimal() and text.isascii()) or not minimum <= int(text) <= maximum:
        raise _Invalid(
            _("%(column)s应为%(minimum)d到%(maximum)d之间的整数。")
            % {"column": label, "minimum": minimum, "maximum": maximum}
        )
    return int(text)


def _money(value: str, label: str) -> Decimal:
    try:
        amount = parse_yuan(value)
    except (MoneyError, ArithmeticError):  # ArithmeticError: e.g. 1e400 cannot be quantized
        amount = None
    if amount is None or not amount.is_finite():
        raise _Invalid(_("%(column)s不是有效的金额。") % {"column": label})
    if amount < 0:
        raise _Invalid(_("%(column)s不能为负数。") % {"column": label})
    return amount


def _decimal(value: str, label: str) -> Decimal:
    try:
        number = Decimal(value.replace(",", ""))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise _Invalid(_("%(column)s不是有效的数字。") % {"column": label})
    if number < 0:
        raise _Invalid(_("%(column)s不能为负数。") % {"column": label})
    return number


def _date(value: str, label: str) -> datetime.date:
    _required(value, label)
    for date_format in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(value, date_format).date()
        except ValueError:
            continue
    raise _Invalid(_("%(column)s不是有效的日期，请写成2024-03-01的格式。") % {"column": label})


def _choice(value: str, label: str, lookup: dict[str, str]) -> str:
    _required(value, label)
    code = lookup.get(value.lower())
    if code is None:
        raise _Invalid(_("%(column)s“%(value)s”无法识别。") % {"column": label, "value": value})
    return code


class _RowParser:
    """Collects every problem of one row; a parser that fails yields None."""

    def __init__(self, row: _Row):
        self.row = row
        self.errors: list[RowError] = []

    def __call__(self, parse: Callable, *args, **kwargs):
        try:
            return parse(*args, **kwargs)
        except _Invalid as exc:
            self.errors.append(RowError(self.row.line, str(exc)))
            return None

    def error(self, message: str) -> None:
        self.errors.append(RowError(self.row.line, message))


def _model_errors(
    line: int, instance, exclude: list[str], *, with_clean: bool = False
) -> list[RowError]:
    """Field validators (and optionally clean()) of the model, as row errors."""
    errors = []
    try:
        instance.clean_fields(exclude=exclude)
        if with_clean:
            instance.clean()
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            try:
                label = str(instance._meta.get_field(name).verbose_name)
            except FieldDoesNotExist:  # "__all__"
                label = ""
            for message in messages:
                errors.append(RowError(line, f"{label}：{message}" if label else message))
    return errors


def _audit_entries(*, actor, action: str, targets: list, details: list[dict]) -> None:
    content_type = ContentType.objects.get_for_model(targets[0].__class__)
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                actor=actor,
                action=action,
                target_type=content_type,
                target_id=str(target.pk),
                detail=detail,
            )
            for target, detail in zip(targets, details, strict=True)
        ],
        batch_size=BATCH_SIZE,
    )


# --- households ------------------------------------------------------------------------------


def _register_number(value: str, label: str) -> str:
    number = register_number_normalise(_required(value, label))
    if not REGISTER_NUMBER_PATTERN.match(number):
        raise _Invalid(_("建档立卡编号应为6到32位数字或大写字母。"))
    return number


def _text(value: str, label: str, *, max_length: int, required: bool = True) -> str:
    if required:
        _required(value, label)
    if len(value) > max_length:
        raise _Invalid(
            _("%(column)s不能超过%(length)d个字。") % {"column": label, "length": max_length}
        )
    return value


@dataclass
class _HouseholdContext:
    county: Region
    villages: dict[str, Region]
    villages_elsewhere: set[str]
    statuses: dict[str, str]
    this_year: int


def _village(code: str, label: str, context: _HouseholdContext) -> Region:
    _required(code, label)
    if code in context.villages:
        return context.villages[code]
    if code in context.villages_elsewhere:
        raise _Invalid(_("村代码%(code)s不属于本县。") % {"code": code})
    raise _Invalid(_("村代码%(code)s不存在或不是村级区划。") % {"code": code})


def _household_from_row(row: _Row, context: _HouseholdContext) -> tuple[Household | None, list]:
    values, label = row.values, {column.name: column.label for column in HOUSEHOLD_COLUMNS}
    parse = _RowParser(row)
    number = parse(_register_number, values["register_number"], label["register_number"])
    head_name = parse(_text, values["head_name"], label["head_name"], max_length=64)
    phone = parse(_text, values.get("phone", ""), label["phone"], max_length=20, required=False)
    village = parse(_village, values["village_code"], label["village_code"], context)
    size = parse(_integer, values["size"], label["size"], minimum=1, maximum=99)
    status = parse(_choice, values["status"], label["status"], context.statuses)
    income = parse(_money, values["baseline_income_per_head"], label["baseline_income_per_head"])
    year = parse(
        _integer,
        values["registered_year"],
        label["registered_year"],
        minimum=1980,
        maximum=context.this_year,
    )
    if parse.errors:
        return None, parse.errors
    household = Household(
        register_number=number,
        register_number_index=crypto.blind_index(number),
        head_name=head_name,
        phone=phone,
        village=village,
        county=context.county,
        size=size,
        status=status,
        baseline_income_per_head=income,
        registered_year=year,
    )
    errors = _model_errors(row.line, household, ["register_number_index", "county"])
    return (None if errors else household), errors


def households_import(*, officer, file) -> ImportResult:
    """A county officer imports households of their county's villages from a CSV file."""
    county = officer_county(officer)
    if county is None or not officer.has_perm("producers.add_household"):
        raise PermissionDenied
    result = ImportResult()
    rows = _read_rows(_read_text(file), HOUSEHOLD_COLUMNS, result)
    if rows is None:
        return result
    villages = {
        village.code: village
        for village in Region.objects.filter(level=Region.Level.VILLAGE, parent__parent=county)
    }
    wanted = {row.values["village_code"] for row in rows} - set(villages)
    context = _HouseholdContext(
        county=county,
        villages=villages,
        villages_elsewhere=set(
            Region.objects.filter(code__in=wanted, level=Region.Level.VILLAGE).values_list(
                "code", flat=True
            )
        ),
        statuses=_choice_lookup(Household.Status.choices, STATUS_ALIASES),
        this_year=timezone.localdate().year,
    )

    households: list[tuple[int, Household]] = []
    first_line_of: dict[str, int] = {}  # blind index -> line
    for row in rows:
        household, errors = _household_from_row(row, context)
        result.errors.extend(errors)
        number = register_number_normalise(row.values["register_number"])
        if not number:
            continue
        index = crypto.blind_index(number)
        if index in first_line_of:
            result.errors.append(
                RowError(
                    row.line,
                    _("建档立卡编号与第%(line)d行重复。") % {"line": first_line_of[index]},
                )
            )
            continue
        first_line_of[index] = row.line
        if household is not None:
            households.append((row.line, household))

    registered = Household.objects.filter(
        register_number_index__in=list(first_line_of)
    ).values_list("register_number_index", "county_id")
    for index, registered_county_id in registered:
        result.errors.append(
            RowError(
                first_line_of[index],
                str(register_number_taken_message(registered_county_id, county.pk)),
            )
        )
    result.errors.sort(key=lambda error: error.line)
    if result.errors:
        return result

    try:
        with transaction.atomic():
            # SQLite (3.35+) and PostgreSQL return the new primary keys, needed for the audit.
            saved = Household.objects.bulk_create(
                [household for _line, household in households], batch_size=BATCH_SIZE
            )
            _audit_entries(
                actor=officer,
                action="household.import",
                targets=saved,
                details=[
                    {"line": line, "fields": sorted(rows[0].values)} for line, _h in households
                ],
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("导入期间有人登记了相同的建档立卡编号，未导入任何数据，请重新导入。"),
            code="conflict",
        ) from exc
    result.created = len(saved)
    return result


# --- benefit links ---------------------------------------------------------------------------


def _link_from_row(
    row: _Row, *, cooperative: Cooperative, household_of: dict[str, int], kinds: dict[str, str]
) -> tuple[BenefitLink | None, list]:
    values, label = row.values, {column.name: column.label for column in LINK_COLUMNS}
    parse = _RowParser(row)

    def household_id(value: str) -> int:
        pk = household_of.get(crypto.blind_index(_required(value, label["register_number"])))
        if pk is None:
            raise _Invalid(_("本县未找到该建档立卡编号的农户。"))
        return pk

    household = parse(household_id, values["register_number"])
    kind = parse(_choice, values["kind"], label["kind"], kinds)
    supply_share = equity_shares = None
    if values.get("supply_share"):
        supply_share = parse(_decimal, values["supply_share"], label["supply_share"])
    if values.get("equity_shares"):
        equity_shares = parse(_money, values["equity_shares"], label["equity_shares"])
    started_on = parse(_date, values["started_on"], label["started_on"])
    if parse.errors:
        return None, parse.errors
    link = BenefitLink(
        cooperative=cooperative,
        household_id=household,
        kind=kind,
        supply_share=supply_share,
        equity_shares=equity_shares,
        started_on=started_on,
    )
    errors = _model_errors(row.line, link, ["household", "cooperative"], with_clean=True)
    return (None if errors else link), errors


def benefit_links_import(*, actor, cooperative: Cooperative, file) -> ImportResult:
    """Cooperative staff import benefit links to households of the cooperative's county."""
    cooperative_staff_check(
        actor=actor, cooperative=cooperative, permission="producers.add_benefitlink"
    )
    result = ImportResult()
    rows = _read_rows(_read_text(file), LINK_COLUMNS, result)
    if rows is None:
        return result
    indexes = [
        crypto.blind_index(row.values["register_number"])
        for row in rows
        if row.values["register_number"]
    ]
    household_of = dict(
        Household.objects.filter(
            county=cooperative.county_id, register_number_index__in=indexes
        ).values_list("register_number_index", "pk")
    )
    existing = set(
        BenefitLink.objects.filter(cooperative=cooperative, ended_on__isnull=True).values_list(
            "household_id", "kind"
        )
    )
    kinds = _choice_lookup(BenefitKind.choices, KIND_ALIASES)

    links: list[tuple[int, BenefitLink]] = []
    first_line_of: dict[tuple[int, str], int] = {}  # (household, kind) -> line
    for row in rows:
        link, errors = _link_from_row(
            row, cooperative=cooperative, household_of=household_of, kinds=kinds
        )
        result.errors.extend(errors)
        if link is None:
            continue
        key = (link.household_id, link.kind)
        if key in first_line_of:
            result.errors.append(
                RowError(
                    row.line,
                    _("与第%(line)d行重复：同一农户的同一种联结方式只能有一条。")
                    % {"line": first_line_of[key]},
                )
            )
            continue
        first_line_of[key] = row.line
        if key in existing:
            result.errors.append(RowError(row.line, _("该农户已有这种联结方式的联结。")))
            continue
        links.append((row.line, link))
    result.errors.sort(key=lambda error: error.line)
    if result.errors:
        return result

    try:
        with transaction.atomic():
            saved = BenefitLink.objects.bulk_create(
                [link for _line, link in links], batch_size=BATCH_SIZE
            )
            _audit_entries(
                actor=actor,
                action="benefit_link.import",
                targets=saved,
                details=[
                    {"line": line, "household": link.household_id, "kind": link.kind}
                    for line, link in links
                ],
            )
    except IntegrityError as exc:
        raise ValidationError(
            _("导入期间联结数据已被修改，未导入任何数据，请重新导入。"), code="conflict"
        ) from exc
    result.created = len(saved)
    return result


# --- templates -------------------------------------------------------------------------------


def _template(columns: tuple[Column, ...]) -> str:
    return csvsafe.rows_write([[column.label for column in columns]])  # with Excel's BOM


def household_import_template() -> str:
    return _template(HOUSEHOLD_COLUMNS)


def benefit_link_import_template() -> str:
    return _template(LINK_COLUMNS)
