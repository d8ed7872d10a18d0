"""Append many ledger rows fast: COPY on PostgreSQL, bulk_create elsewhere. Rows come as
tuples of column values: building a model instance per row costs more than writing it."""

from django.db import connection


def rows_append(model, fields: list[str], rows: list[tuple]) -> None:
    """Append `rows` (values of `fields`, by attname such as "line_id") to `model`'s table."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            (model(**dict(zip(fields, row, strict=True))) for row in rows), batch_size=1000
        )
        return
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    columns = ", ".join(connection.ops.quote_name(by_attname[name].column) for name in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
