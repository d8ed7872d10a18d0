"""Reads that run with the same shape thousands of times a day (each settlement's), compiled
by Django once per process and run again with new values.

Building a queryset and compiling it costs more Python than most of these statements cost
PostgreSQL. A `Statement` builds its queryset twice with two sets of stand-in values, keeps
the SQL if both compile to the same text, and records which parameter each value became;
every later run binds the real values into that SQL. The ORM stays the one definition of
the statement: the SQL is Django's own, with the same joins, filters and column order.

What may vary between runs are the keyword values given to `rows()`: ints, strings,
Decimals and lists of them (a list's length is part of the shape: each length is compiled
once). Anything else the builder reads must be in `shape`, which keys the cache: a value
captured from outside and missing from `shape` would be baked into the SQL. A value whose
SQL depends on the value itself (None, an empty list, a lookup that rewrites it) is not
cached: that run builds and runs the queryset as Django would."""

from collections.abc import Callable
from decimal import Decimal

import psycopg
from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import QuerySet
from django.db.models.query import FlatValuesListIterable, ValuesListIterable

_UNCACHEABLE = object()
# Subclasses of int psycopg types small integers with (Django binds a smallint column's
# values as Int2): a stand-in comes back wrapped, and the real value is wrapped alike.
_WRAPPERS = frozenset(
    {
        psycopg.types.numeric.Int2,
        psycopg.types.numeric.Int4,
        psycopg.types.numeric.Int8,
        psycopg.types.numeric.IntNumeric,
    }
)
# Lists longer than this (a rebuild's chunk of products) are compiled at each run: every
# length is a statement of its own, and a rebuild meets hundreds of them.
LONGEST_LIST = 64


class Statement:
    """A `.values_list()` read, `build(*shape, **values)` returning its queryset."""

    def __init__(
        self,
        build: Callable[..., QuerySet],
        *,
        model,
        for_update: bool = False,
        binary: bool = False,
    ):
        self.build = build
        self.model = model
        self.for_update = for_update  # routed as a write (select_for_update)
        # Fetched in PostgreSQL's binary format, on a cursor of psycopg's own (timestamps
        # load in C there, several times faster): Django's query log does not see it.
        self.binary = binary
        self._compiled: dict = {}

    def rows(self, *, shape: tuple = (), **values) -> list:
        """The rows (tuples; values for a flat values_list) of the statement with `values`."""
        values = {
            name: list(v) if isinstance(v, tuple | set | frozenset) else v
            for name, v in values.items()
        }
        alias = (
            router.db_for_write(self.model) if self.for_update else router.db_for_read(self.model)
        )
        lengths = tuple(len(v) if isinstance(v, list) else -1 for v in values.values())
        if max(lengths, default=0) > LONGEST_LIST:  # one of many lengths: not kept
            return self._run_uncached(alias, values, shape)
        key = (alias, shape, tuple(values), lengths)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(alias, values, shape)
        if compiled is _UNCACHEABLE:
            return self._run_uncached(alias, values, shape)
        sql, slots, converters, width, flat = compiled
        params = [
            const
            if slot is None
            else (_value(values, slot) if const is None else const(_value(values, slot)))
            for slot, const in slots
        ]
        connection = connections[alias]
        rows = self._execute(connection, sql, params)
        if width is not None:
            rows = [row[:width] for row in rows]
        if converters:
            rows = [_convert(row, converters, connection) for row in rows]
        if flat:
            return [row[0] for row in rows]
        return rows

    def _execute(self, connection, sql: str, params: list) -> list[tuple]:
        if self.binary and connection.vendor == "postgresql":
            connection.ensure_connection()
            with psycopg.Cursor(connection.connection) as cursor:
                cursor.execute(sql, params, binary=True)
                return cursor.fetchall()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def _run_uncached(self, alias: str, values: dict, shape: tuple) -> list:
        queryset = self.build(*shape, **values)
        connection = connections[alias]
        if not (self.binary and connection.vendor == "postgresql"):
            return list(queryset.using(alias))
        try:
            sql, params = queryset.query.get_compiler(using=alias).as_sql()
        except EmptyResultSet:
            return []
        rows = self._execute(connection, sql, params)
        if queryset._iterable_class is FlatValuesListIterable:
            return [row[0] for row in rows]
        return rows

    def _compile(self, alias: str, values: dict, shape: tuple):
        stand_ins = []
        for first in (True, False):
            sample = {}
            for n, (name, value) in enumerate(values.items()):
                if isinstance(value, list):
                    sample[name] = [_stand_in(v, n * 1000 + i, first) for i, v in enumerate(value)]
                else:
                    sample[name] = _stand_in(value, n * 1000, first)
            if any(v is _UNCACHEABLE for v in _flatten(sample)):
                return _UNCACHEABLE
            stand_ins.append(sample)
        compiled = []
        for sample in stand_ins:
            queryset = self.build(*shape, **sample)
            if queryset._iterable_class not in (ValuesListIterable, FlatValuesListIterable):
                raise TypeError("A Statement is a .values_list() queryset.")
            compiler = queryset.query.get_compiler(using=alias)
            try:
                sql, params = compiler.as_sql()
            except Exception:  # EmptyResultSet, FullResultSet: the value decides the SQL
                return _UNCACHEABLE
            compiled.append((sql, list(params), compiler, queryset))
        (sql_a, params_a, compiler, queryset), (sql_b, params_b, _c, _q) = compiled
        if sql_a != sql_b or len(params_a) != len(params_b):
            return _UNCACHEABLE
        where_a = _positions(stand_ins[0])
        where_b = _positions(stand_ins[1])
        slots = []
        for a, b in zip(params_a, params_b, strict=True):
            slot_a, slot_b = where_a.get(_hashable(a)), where_b.get(_hashable(b))
            if slot_a is not None and slot_a == slot_b:
                # A type of the adapter's (psycopg's Int2 for a small integer column) is
                # kept: the value is bound as Django binds it.
                wrap = type(a) if type(a) in _WRAPPERS else None
                slots.append((slot_a, wrap))
            elif slot_a is None and slot_b is None and _same(a, b):
                slots.append((None, a))  # a constant of the statement
            else:
                return _UNCACHEABLE  # a value was rewritten on its way into the SQL
        used = {slot for slot, _const in slots if slot is not None}
        if used != set(where_a.values()):
            return _UNCACHEABLE  # a value did not reach the SQL as itself
        fields = [s[0] for s in compiler.select[0 : compiler.col_count]]
        converters = compiler.get_converters(fields)
        # Columns added for the ordering come after the selected ones: cut, as Django does.
        width = compiler.col_count if compiler.has_extra_select else None
        flat = queryset._iterable_class is FlatValuesListIterable
        return sql_a, slots, converters, width, flat


def _stand_in(value, n: int, first: bool):
    """A stand-in of `value`'s type, distinct from every other stand-in of its set; the two
    sets are distinct from each other. Ints stay in a small integer column's range: Django
    turns an out-of-range integer lookup into an empty or full result."""
    if isinstance(value, bool) or value is None:
        return _UNCACHEABLE
    if isinstance(value, int):
        return (10_001 if first else 20_001) + n
    if isinstance(value, Decimal):
        # More places than any column has: a lookup that rounds the value shows.
        return Decimal(10_001 if first else 20_001) + n + Decimal("0.123456789")
    if isinstance(value, str):
        return f"\ue000stand-in-{'a' if first else 'b'}-{n}"
    return _UNCACHEABLE


def _flatten(sample: dict):
    for value in sample.values():
        if isinstance(value, list):
            yield from value
        else:
            yield value


def _positions(sample: dict) -> dict:
    """{stand-in: (name, index or None)}."""
    where = {}
    for name, value in sample.items():
        if isinstance(value, list):
            for i, v in enumerate(value):
                where[_hashable(v)] = (name, i)
        else:
            where[_hashable(value)] = (name, None)
    return where


def _hashable(value):
    if isinstance(value, bool):
        return None
    for kind in (int, str, Decimal):
        if isinstance(value, kind):
            return (kind.__name__, kind(value))
    return None


def _same(a, b) -> bool:
    return type(a) is type(b) and a == b


def _value(values: dict, slot: tuple):
    name, index = slot
    value = values[name]
    return value if index is None else value[index]


def _convert(row, converters, connection):
    row = list(row)
    for i, (convs, expression) in converters.items():
        value = row[i]
        for converter in convs:
            value = converter(value, expression, connection)
        row[i] = value
    return tuple(row)
