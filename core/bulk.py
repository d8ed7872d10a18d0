"""Writing many rows in few statements: COPY and INSERT … ON CONFLICT for new rows, UPDATE …
FROM unnest for changed ones, on PostgreSQL; Django's bulk methods elsewhere. Rows come as
tuples of column values, or for COPY already rendered as COPY text lines: building a model
instance per row costs more than writing it."""

import datetime
import functools
from collections.abc import Sequence
from contextlib import contextmanager

from django.db import connection, models

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
    with rows_copying(model, fields, rows):
        pass


@contextmanager
def rows_copying(model, fields: list[str], rows: list[tuple] | CopyLines):
    """Append `rows` like rows_append, running the block before the COPY ends, while
    PostgreSQL is still storing them: Python can prepare the next rows meanwhile. The block
    must not query (the connection is busy with the COPY): a query there is refused rather
    than left waiting for ever."""
    if not rows:
        yield
        return
    if connection.vendor != "postgresql":
        if isinstance(rows, CopyLines):
            raise TypeError("COPY text lines are for PostgreSQL only.")
        model.objects.bulk_create(
            (model(**dict(zip(fields, row, strict=True))) for row in rows), batch_size=1000
        )
        yield
        return
    with rows_streaming(model, fields) as send:
        send(rows)
        yield


@contextmanager
def rows_streaming(model, fields: list[str]):
    """Append rows to `model`'s table in one COPY as they are made: yields `write(rows)`,
    to call as often as needed with CopyLines (PostgreSQL) or tuples of `fields`. PostgreSQL
    stores each part while Python makes the next. The block must not query (the connection
    is busy with the COPY; refused, as in rows_copying). Elsewhere the rows are kept and
    inserted with bulk_create when the block ends; on an exception nothing is written."""
    if connection.vendor != "postgresql":
        kept: list[tuple] = []

        def keep(rows) -> None:
            if isinstance(rows, CopyLines):
                raise TypeError("COPY text lines are for PostgreSQL only.")
            kept.extend(rows)

        yield keep
        with rows_copying(model, fields, kept):
            pass
        return
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    columns = ", ".join(connection.ops.quote_name(by_attname[name].column) for name in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:

            def send(rows) -> None:
                if isinstance(rows, CopyLines):
                    for start in range(0, len(rows), LINES_PER_WRITE):
                        copy.write("".join(rows[start : start + LINES_PER_WRITE]))
                else:
                    for row in rows:
                        copy.write_row(row)

            with connection.execute_wrapper(_no_queries_during_copy):
                yield send


def _no_queries_during_copy(execute, sql, params, many, context):
    raise RuntimeError("A query was attempted while a COPY held the connection.")


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


def rows_delete(queryset: models.QuerySet) -> int:
    """Delete what `queryset` selects in one DELETE with its own conditions, sending no
    signals and following no relations: only for models nothing refers to, not even
    without a constraint. Django's delete() reads the primary keys first and deletes by
    them when any receiver listens for the model's deletions (haystack's signal processor,
    which Oscar installs, listens for every model's): on a partitioned table a condition on
    primary keys alone reaches every partition."""
    return queryset._raw_delete(queryset.db)


def rows_update(objs: Sequence[models.Model], fields: list[str]) -> None:
    """Save `fields` of many rows of one model, each to its own values, in one statement
    (see values_update)."""
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objs, fields)
        return
    columns = [model._meta.pk, *(model._meta.get_field(name) for name in fields)]
    values_update(
        model=model,
        fields=fields,
        rows=[
            tuple(f.get_db_prep_save(getattr(o, f.attname), connection) for f in columns)
            for o in objs
        ],
    )


def values_update(*, model: type[models.Model], fields: list[str], rows: Sequence[tuple]):
    """Set `fields` of many rows of `model` to their own values, in one statement. `rows`:
    (pk, *values of fields), each value as the database adapter takes it (int, str,
    Decimal, aware datetime, None). On PostgreSQL an UPDATE … FROM unnest(<one array per
    column>): a handful of parameters whatever the number of rows, so neither Django nor
    psycopg parse a long statement (Django's bulk_update writes a CASE per field, with
    every value in it); elsewhere bulk_update."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_update(
            [model(pk=row[0], **dict(zip(fields, row[1:], strict=True))) for row in rows], fields
        )
        return
    sql = _update_statement(model, tuple(fields))
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(column) for column in zip(*rows, strict=True)])


def objs_insert(objs: Sequence[models.Model]) -> None:
    """Insert new instances of one model (primary keys unset) in one statement and set
    their primary keys, as bulk_create does. On PostgreSQL an INSERT … SELECT FROM
    unnest(<one array per column>) RETURNING the key, its text made once per process:
    Django compiles its own insert anew at each call, which costs a settlement more than
    the insert itself. Each value is prepared as bulk_create prepares it (pre_save, then
    get_db_prep_save)."""
    if not objs:
        return
    model = type(objs[0])
    prepared = _insert_statement(model, connection.vendor)
    if prepared is None or any(o.pk is not None for o in objs):
        model.objects.bulk_create(objs)
        return
    sql, fields = prepared
    columns = [[f.get_db_prep_save(f.pre_save(o, True), connection) for o in objs] for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, columns)
        keys = cursor.fetchall()
    pk = model._meta.pk.attname
    for obj, (key,) in zip(objs, keys, strict=True):
        setattr(obj, pk, key)
        obj._state.adding = False
        obj._state.db = connection.alias


@functools.lru_cache(maxsize=128)
def _update_statement(model, fields: tuple[str, ...]) -> str:
    """The SQL of values_update on PostgreSQL, made once per model and fields."""
    meta = model._meta
    columns = [meta.pk, *(meta.get_field(name) for name in fields)]
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    arrays = ", ".join(f"%s::{f.cast_db_type(connection)}[]" for f in columns)
    sets = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in columns[1:])
    names = ", ".join(quote(f.column) for f in columns)
    # Identifiers quoted by Django from the model; every value is in a parameter.
    return (
        f"UPDATE {table} SET {sets} FROM unnest({arrays}) "  # noqa: S608
        f"AS v ({names}) WHERE {table}.{pk} = v.{pk}"
    )


@functools.lru_cache(maxsize=64)
def _insert_statement(model, vendor: str):
    """(SQL, fields) of objs_insert for `model`, or None where it falls back to bulk_create
    (another database; a key that is not one auto column; a column with a database
    default, which bulk_create leaves out when unset)."""
    meta = model._meta
    if vendor != "postgresql" or not isinstance(meta.pk, models.AutoField):
        return None
    fields = [f for f in meta.concrete_fields if not f.generated and f is not meta.pk]
    if any(f.db_default is not models.NOT_PROVIDED for f in fields):
        return None
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    casts = ", ".join(f"unnest(%s::{f.cast_db_type(connection)}[])" for f in fields)
    table = quote(meta.db_table)
    # Identifiers quoted by Django from the model; every value is in a parameter.
    sql = (
        f"INSERT INTO {table} ({columns}) SELECT {casts} "  # noqa: S608
        f"RETURNING {table}.{quote(meta.pk.column)}"
    )
    return sql, fields
