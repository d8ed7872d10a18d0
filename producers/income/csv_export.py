"""CSV downloads, safe to open in a spreadsheet, the same on every database: money always
with two places (a sum on SQLite comes back as 17.0700000000000 or 0E-13), text that a
spreadsheet would run as a formula quoted (core.csvsafe)."""

import csv
from decimal import Decimal

from django.http import HttpResponse

from core.csvsafe import cell_escape
from core.money import to_yuan


def money_cell(value) -> Decimal:
    """An amount as it is written: yuan with two places, never -0.00."""
    amount = to_yuan(value or 0)
    return amount if amount else Decimal("0.00")


def cell(value) -> str:
    """A cell a spreadsheet shows as written: a Decimal is money (two places), numbers are
    never formulas (a refund's -3.80 stays a number), text starting with = + - @ is quoted."""
    if isinstance(value, Decimal):
        return str(money_cell(value))
    return cell_escape(value)


def csv_response(*, filename: str, header: list, rows) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # lets Excel read the Chinese text as UTF-8
    writer = csv.writer(response, lineterminator="\r\n")
    writer.writerow([cell(h) for h in header])
    for row in rows:
        writer.writerow([cell(v) for v in row])
    return response
