"""Append many ledger rows fast: COPY on PostgreSQL, bulk_create elsewhere. Rows come as
tuples of column values, or on PostgreSQL already rendered as COPY text lines: building a
model instance per row costs more than writing it."""

import datetime

from django.db import connection

LINES_PER_WRITE = 16_384  # rendered rows sent to COPY per write


class CopyLines(list):
    """Rows already rendered in PostgreSQL's COPY text format, one str per row ending in a
    newline (see `copy_value`). Only for PostgreSQL: other databases take tuples."""


def copy_value(value) -> str:
    """One column value in COPY text format: NULL as \\N, text escaped."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return str(value)


def rows_append(model, fields: list[str], rows: list[tuple] | CopyLines) -> None:
    """Append `rows` (values of `fields`, by attname such as "line_id") to `model`'s table."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        if isinstance(rows, CopyLines):
            raise TypeError("COPY text lines are for PostgreSQL only.")
        model.objects.bulk_create(
            (model(**dict(zip(fields, row, strict=True))) for row in rows), batch_size=1000
        )
        return
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    columns = ", ".join(connection.ops.quote_name(by_attname[name].column) for name in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            if isinstance(rows, CopyLines):
                for start in range(0, len(rows), LINES_PER_WRITE):
                    copy.write("".join(rows[start : start + LINES_PER_WRITE]))
            else:
                for row in rows:
                    copy.write_row(row)


def rows_insert_new(model, fields: list[str], rows: list[tuple]) -> None:
    """Insert `rows`, skipping any that collides with an existing row on a unique column
    (INSERT … ON CONFLICT DO NOTHING), in one statement per 10,000 rows on PostgreSQL."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            (model(**dict(zip(fields, row, strict=True))) for row in rows),
            ignore_conflicts=True,
            batch_size=1000,
        )
        return
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    columns = ", ".join(connection.ops.quote_name(by_attname[name].column) for name in fields)
    casts = ", ".join(
        f"unnest(%s::{by_attname[name].cast_db_type(connection)}[])" for name in fields
    )
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({columns}) SELECT {casts} ON CONFLICT DO NOTHING"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 10_000):
            chunk = rows[start : start + 10_000]
            cursor.execute(sql, [list(column) for column in zip(*chunk, strict=True)])
