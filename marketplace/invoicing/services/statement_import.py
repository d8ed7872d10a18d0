"""Bank statement import: each credit row is matched to an invoice by the invoice number in
the transfer's memo (附言) and by its amount. Matched rows settle their invoices; every
other row is listed with what it is (unmatched, partial, duplicate), never guessed at.
A malformed file (bad date, amount or missing reference, with line numbers) imports
nothing, and the same file imported twice changes nothing the second time."""

import hashlib
import io
import re
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from core.money import MoneyError, format_yuan, parse_yuan
from producers.services.imports import (
    Column,
    ImportResult,
    RowError,
    _date,
    _Invalid,
    _read_rows,
    _read_text,
)

from ..models import BankStatementImport, BankTransfer, Invoice
from .settlement import invoice_settle

STATEMENT_COLUMNS = (
    Column("booked_on", "交易日期", ("记账日期", "日期")),
    Column("bank_reference", "交易流水号", ("流水号", "交易参考号")),
    Column("payer", "付款人户名", ("付款人", "对方户名"), required=False),
    Column("amount", "金额", ("贷方金额", "贷方发生额", "收入金额")),
    Column("memo", "附言", ("摘要", "用途", "备注"), required=False),
)
INVOICE_NUMBER = re.compile(r"DX-?(\d{4})-?(\d{5})", re.IGNORECASE)

MATCHED, UNMATCHED, PARTIAL, DUPLICATE = "matched", "unmatched", "partial", "duplicate"


@dataclass
class StatementResult:
    errors: list[RowError] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    already_imported: bool = False

    def of(self, outcome: str) -> list[dict]:
        return [row for row in self.rows if row["outcome"] == outcome]


def _parse_rows(rows, result: StatementResult) -> list[dict]:
    parsed = []
    for row in rows:
        values = row.values
        try:
            booked_on = _date(values.get("booked_on", ""), _("交易日期"))
        except _Invalid as exc:
            result.errors.append(RowError(row.line, str(exc)))
            booked_on = None
        try:
            amount = parse_yuan(values.get("amount", ""))
        except (MoneyError, ArithmeticError):
            result.errors.append(RowError(row.line, _("金额不是有效的金额。")))
            amount = None
        reference = values.get("bank_reference", "")
        if not reference:
            result.errors.append(RowError(row.line, _("交易流水号不能为空。")))
        if booked_on and amount is not None and reference:
            parsed.append(
                {
                    "line": row.line,
                    "booked_on": booked_on,
                    "amount": amount,
                    "bank_reference": reference[:64],
                    "payer": values.get("payer", ""),
                    "memo": values.get("memo", ""),
                }
            )
    return parsed


def _classify(row: dict, *, invoices: dict, seen_references: set, settled: set) -> tuple:
    """(outcome, reason, invoice) of one parsed row."""
    if row["bank_reference"] in seen_references:
        return DUPLICATE, _("该流水号已导入或已登记。"), None
    if row["amount"] <= 0:
        return UNMATCHED, _("不是来账。"), None
    numbers = {f"DX-{year}-{seq}" for year, seq in INVOICE_NUMBER.findall(row["memo"])}
    if not numbers:
        return UNMATCHED, _("附言中没有发票号。"), None
    if len(numbers) > 1:
        return UNMATCHED, _("附言中有多个发票号，请人工核对。"), None
    number = numbers.pop()
    invoice = invoices.get(number)
    if invoice is None:
        return UNMATCHED, _("发票号 %(number)s 不存在。") % {"number": number}, None
    if invoice.is_paid or invoice.pk in settled:
        return DUPLICATE, _("发票 %(number)s 已结清。") % {"number": number}, invoice
    if row["amount"] < invoice.amount:
        return (
            PARTIAL,
            _("部分付款：到账 %(amount)s，发票金额 %(due)s，未结清。")
            % {"amount": format_yuan(row["amount"]), "due": format_yuan(invoice.amount)},
            invoice,
        )
    if row["amount"] > invoice.amount:
        return (
            UNMATCHED,
            _("金额 %(amount)s 超过发票金额 %(due)s，请人工核对。")
            % {"amount": format_yuan(row["amount"]), "due": format_yuan(invoice.amount)},
            invoice,
        )
    return MATCHED, "", invoice


def bank_statement_import(*, actor, file, file_name: str = "") -> StatementResult:
    if not actor.has_perm("invoicing.record_payment"):
        raise PermissionDenied
    data = file.read()
    digest = hashlib.sha256(data).hexdigest()
    previous = BankStatementImport.objects.filter(digest=digest).first()
    if previous is not None:
        return StatementResult(rows=previous.report, already_imported=True)
    result = StatementResult()
    header_result = ImportResult()
    rows = _read_rows(_read_text(io.BytesIO(data)), STATEMENT_COLUMNS, header_result)
    result.errors.extend(header_result.errors)
    if rows is None or result.errors:
        return result
    parsed = _parse_rows(rows, result)
    if result.errors:
        return result
    with transaction.atomic():
        statement = BankStatementImport.objects.create(
            digest=digest, file_name=file_name[:255], imported_by=actor
        )
        seen = set(
            BankTransfer.objects.filter(
                bank_reference__in=[row["bank_reference"] for row in parsed]
            ).values_list("bank_reference", flat=True)
        )
        invoices = {
            invoice.number: invoice
            for invoice in Invoice.objects.filter(
                number__in=[
                    f"DX-{year}-{seq}"
                    for row in parsed
                    for year, seq in INVOICE_NUMBER.findall(row["memo"])
                ]
            )
        }
        settled: set[int] = set()
        for row in parsed:
            outcome, reason, invoice = _classify(
                row, invoices=invoices, seen_references=seen, settled=settled
            )
            seen.add(row["bank_reference"])
            if outcome == MATCHED:
                invoice_settle(
                    invoice=invoice,
                    amount=row["amount"],
                    bank_reference=row["bank_reference"],
                    booked_on=row["booked_on"],
                    recorded_by=actor,
                    payer=row["payer"],
                    statement=statement,
                )
                settled.add(invoice.pk)
            result.rows.append(
                {
                    "line": row["line"],
                    "outcome": outcome,
                    "reason": reason,
                    "invoice": invoice.number if invoice else "",
                    "amount": str(row["amount"]),
                    "bank_reference": row["bank_reference"],
                    "payer": row["payer"],
                    "booked_on": row["booked_on"].isoformat(),
                }
            )
        statement.report = result.rows
        statement.save(update_fields=["report"])
    return result
