"""Tables partitioned by year on PostgreSQL (declarative RANGE partitions), and the
machinery that keeps them: no domain here, the owning apps register their tables.

A partitioned table has one partition per calendar year, named `<table>_y<year>`, and a
DEFAULT partition (`<table>_default`) so that no insert ever fails for want of a year's
partition. `partitions_ahead` (a daily beat task, `manage.py partitions_ahead`) creates the
current and next year's partitions ahead of time; a row that reached DEFAULT meanwhile is
moved into its year's partition when that is created, in the same transaction.

The partition key is either a date column (`KEY_DATE`: a year is [1 January, next 1 January))
or a column holding the year itself (`KEY_YEAR`: [year, year + 1)).

PostgreSQL requires every unique constraint of a partitioned table, the primary key
included, to contain the partition key: `table_partition` widens them (the original
definition is kept as the constraint's comment) and `table_unpartition` narrows them back.
Django still sees `id` as the primary key; ids stay unique through the identity sequence.
SQLite (and any other database) keeps plain tables: every function here is a no-op there.

Table and column names in the SQL below come from the migrations and the apps' registrations
(and the catalog), never from a request; they are quoted all the same."""

import datetime
import re
from dataclasses import dataclass

from django.db import connection as default_connection
from django.db import transaction
from django.utils import timezone

KEY_DATE = "date"
KEY_YEAR = "year"
DEFAULT_SUFFIX = "_default"
WIDENED = "partitions: widened from "  # prefix of the comment on a widened constraint


@dataclass(frozen=True)
class PartitionedTable:
    table: str
    key: str  # the partition key column
    key_kind: str  # KEY_DATE or KEY_YEAR


_registry: dict[str, PartitionedTable] = {}


def partitioned_table_register(*, table: str, key: str, key_kind: str) -> None:
    """Called by the owning app (AppConfig.ready): `partitions_ahead` keeps this table."""
    if key_kind not in (KEY_DATE, KEY_YEAR):
        raise ValueError(f"Unknown partition key kind {key_kind!r}")
    _registry[table] = PartitionedTable(table=table, key=key, key_kind=key_kind)


def partitioned_tables() -> list[PartitionedTable]:
    return [_registry[name] for name in sorted(_registry)]


def partition_name(table: str, year: int) -> str:
    return f"{table}_y{year}"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _bounds(key_kind: str, year: int) -> tuple[str, str]:
    """SQL literals of a year's range [from, to)."""
    if key_kind == KEY_DATE:
        return f"'{year:04d}-01-01'", f"'{year + 1:04d}-01-01'"
    return str(int(year)), str(int(year) + 1)


def _supported(connection) -> bool:
    return connection.vendor == "postgresql"


def is_partitioned(table: str, *, connection=None) -> bool:
    connection = connection or default_connection
    if not _supported(connection):
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relkind = 'p' FROM pg_class c WHERE c.oid = to_regclass(%s)", [_q(table)]
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def partitions_of(table: str, *, connection=None) -> dict[str, str]:
    """{partition name: its bound as PostgreSQL prints it} of a partitioned table."""
    connection = connection or default_connection
    if not _supported(connection):
        return {}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(%s) "
            "ORDER BY c.relname",
            [_q(table)],
        )
        return dict(cursor.fetchall())


def partition_years(table: str, *, connection=None) -> list[int]:
    """The years that have a partition of their own."""
    pattern = re.compile(rf"^{re.escape(table)}_y(\d{{4}})$")
    return sorted(
        int(m.group(1))
        for name in partitions_of(table, connection=connection)
        if (m := pattern.match(name))
    )


def index_root(name: str, *, connection=None) -> str:
    """The name of the partitioned table's index (so of its unique constraint) that the
    index `name` of one of its partitions belongs to; `name` itself for any other index.
    PostgreSQL reports a unique violation by the partition's own index, named after the
    partition, where a caller knows the table's constraint."""
    connection = connection or default_connection
    if not _supported(connection):
        return name
    with connection.cursor() as cursor:
        cursor.execute(
            "WITH RECURSIVE up(oid, depth) AS (SELECT to_regclass(%s)::oid, 0 UNION ALL "
            "SELECT i.inhparent, up.depth + 1 FROM pg_inherits i JOIN up ON i.inhrelid = up.oid) "
            "SELECT c.relname FROM up JOIN pg_class c ON c.oid = up.oid "
            "ORDER BY up.depth DESC LIMIT 1",
            [_q(name)],
        )
        row = cursor.fetchone()
    return row[0] if row else name


def partition_ensure(*, table: PartitionedTable, year: int, connection=None) -> int | None:
    """Create `year`'s partition of `table` if it is missing, moving the rows of that year
    out of DEFAULT into it, all in one transaction. Returns the number of rows moved, or
    None when there was nothing to do (the partition exists, the table is not partitioned,
    or the database is not PostgreSQL). Idempotent.

    Locks: the parent SHARE UPDATE EXCLUSIVE (reads and writes go on) and the DEFAULT
    partition ACCESS EXCLUSIVE for the move, which is short when DEFAULT is (nearly) empty,
    as it is when the partitions are created ahead."""
    connection = connection or default_connection
    if not _supported(connection):
        return None
    name = partition_name(table.table, year)
    default = table.table + DEFAULT_SUFFIX
    low, high = _bounds(table.key_kind, year)
    key = _q(table.key)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if not is_partitioned(table.table, connection=connection):
            return None
        cursor.execute(f"LOCK TABLE {_q(table.table)} IN SHARE UPDATE EXCLUSIVE MODE")
        partitions = partitions_of(table.table, connection=connection)
        if name in partitions:
            return None
        cursor.execute(
            f"CREATE TABLE {_q(name)} (LIKE {_q(table.table)} INCLUDING DEFAULTS "
            "INCLUDING CONSTRAINTS INCLUDING STORAGE)"
        )
        moved = 0
        if default in partitions:
            cursor.execute(f"LOCK TABLE {_q(default)} IN ACCESS EXCLUSIVE MODE")
            within = f"{key} >= {low} AND {key} < {high}"
            cursor.execute(
                f"WITH moved AS (DELETE FROM {_q(default)} WHERE {within} RETURNING *) "  # noqa: S608
                f"INSERT INTO {_q(name)} SELECT * FROM moved"
            )
            moved = cursor.rowcount
        # Attaching builds the partition's indexes, unique constraints and foreign keys
        # from the parent's, and proves DEFAULT holds no row of the year any more.
        cursor.execute(
            f"ALTER TABLE {_q(table.table)} ATTACH PARTITION {_q(name)} "
            f"FOR VALUES FROM ({low}) TO ({high})"
        )
    return moved


def partitions_ahead(*, today: datetime.date | None = None, connection=None) -> dict[str, list]:
    """Every registered table's partitions of the current and next year (local time),
    created where missing: {table: [(year, rows moved out of DEFAULT), ...]} of those
    created. Run daily by beat; a second run creates nothing."""
    today = today or timezone.localdate()
    created = {}
    for table in partitioned_tables():
        for year in (today.year, today.year + 1):
            moved = partition_ensure(table=table, year=year, connection=connection)
            if moved is not None:
                created.setdefault(table.table, []).append((year, moved))
    return created


def partitions_analyze(*, connection=None) -> list[str]:
    """ANALYZE every registered partitioned table (its partitions too): autovacuum analyzes
    the partitions but never the parent, whose statistics the planner uses for joins with
    the whole table. SHARE UPDATE EXCLUSIVE: reads and writes go on. Daily, with
    partitions_ahead; a second or two at a million rows."""
    connection = connection or default_connection
    done = []
    for table in partitioned_tables():
        if is_partitioned(table.table, connection=connection):
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {_q(table.table)}")
            done.append(table.table)
    return done


# Converting a plain table into a partitioned one and back (the migrations that do it).


def _definitions(cursor, table: str) -> dict:
    """What must be created again on a rebuilt table: primary key, unique constraints and
    foreign keys (name, definition, comment), the indexes that back no constraint (name,
    definition), the identity sequence and whether anything references the table."""
    cursor.execute(
        "SELECT con.conname, con.contype, pg_get_constraintdef(con.oid), "
        "obj_description(con.oid, 'pg_constraint') FROM pg_constraint con "
        "WHERE con.conrelid = to_regclass(%s) AND con.contype IN ('p', 'u', 'f') "
        "ORDER BY con.contype DESC, con.conname",
        [_q(table)],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        "SELECT ci.relname, pg_get_indexdef(i.indexrelid), i.indisunique FROM pg_index i "
        "JOIN pg_class ci ON ci.oid = i.indexrelid WHERE i.indrelid = to_regclass(%s) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid "
        "AND con.conrelid = i.indrelid) ORDER BY ci.relname",
        [_q(table)],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        "SELECT count(*) FROM pg_constraint WHERE confrelid = to_regclass(%s) AND contype = 'f'",
        [_q(table)],
    )
    referenced = cursor.fetchone()[0]
    cursor.execute(
        "SELECT a.attname, pg_get_serial_sequence(%s, a.attname) FROM pg_attribute a "
        "WHERE a.attrelid = to_regclass(%s) AND a.attidentity <> '' AND NOT a.attisdropped",
        [_q(table), _q(table)],
    )
    identities = cursor.fetchall()
    return {
        "constraints": constraints,
        "indexes": indexes,
        "referenced": referenced,
        "identities": identities,
    }


def _rebuild(cursor, *, table: str, partition_by: str | None, years: list[int], key_kind: str):
    """Copy `table` into a new table of the same columns, defaults, identity and CHECKs
    (partitioned by `partition_by`, or plain when None), with its constraints and indexes
    built under names of their own; then drop the old table and give the new one its name,
    its constraints' and indexes' names and the sequence's position. Writes wait from the
    start (EXCLUSIVE lock), reads only from the DROP (catalog changes, then the commit)."""
    found = _definitions(cursor, table)
    if found["referenced"]:
        raise NotImplementedError(f"{table} is referenced by foreign keys; not converted.")
    cursor.execute(f"LOCK TABLE {_q(table)} IN EXCLUSIVE MODE")  # reads go on, writes wait
    new = f"{table}__rebuilt"
    partition = f" PARTITION BY RANGE ({_q(partition_by)})" if partition_by else ""
    cursor.execute(
        f"CREATE TABLE {_q(new)} (LIKE {_q(table)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
        f"INCLUDING IDENTITY INCLUDING STORAGE INCLUDING COMMENTS){partition}"
    )
    if partition_by:
        for year in years:
            low, high = _bounds(key_kind, year)
            cursor.execute(
                f"CREATE TABLE {_q(partition_name(table, year))} PARTITION OF {_q(new)} "
                f"FOR VALUES FROM ({low}) TO ({high})"
            )
        cursor.execute(f"CREATE TABLE {_q(table + DEFAULT_SUFFIX)} PARTITION OF {_q(new)} DEFAULT")
    cursor.execute(
        f"INSERT INTO {_q(new)} OVERRIDING SYSTEM VALUE SELECT * FROM {_q(table)}"  # noqa: S608
    )
    # Constraints and indexes are built now, while the old table still serves reads: those
    # whose index name the old table holds (schema-wide) under a temporary name.
    renames, comments = [], []
    for n, (name, kind, definition, comment) in enumerate(found["constraints"]):
        built = name
        if kind in ("p", "u"):
            definition, comment = _key_constraint(definition, comment, partition_by)
            built = f"{name[:50]}__rebuilt{n}"
            renames.append(f"ALTER TABLE {_q(table)} RENAME CONSTRAINT {_q(built)} TO {_q(name)}")
        cursor.execute(f"ALTER TABLE {_q(new)} ADD CONSTRAINT {_q(built)} {definition}")
        if comment is not None or kind in ("p", "u"):
            comments.append((name, comment or None))
    for n, (name, definition, unique) in enumerate(found["indexes"]):
        if unique and partition_by:
            raise NotImplementedError(f"Unique index {name} of {table} cannot be partitioned.")
        match = re.fullmatch(
            r"CREATE (UNIQUE )?INDEX (\S+) ON (?:ONLY )?(\S+) (USING .*)", definition
        )
        if match is None:
            raise NotImplementedError(f"Cannot rebuild index {definition!r}")
        unique_sql, _name, _table, rest = match.groups()
        built = f"{name[:50]}__rebuilt{n}"
        cursor.execute(f"CREATE {unique_sql or ''}INDEX {_q(built)} ON {_q(new)} {rest}")
        renames.append(f"ALTER INDEX {_q(built)} RENAME TO {_q(name)}")
    # A new table has no statistics, and autovacuum never analyzes a partitioned parent:
    # without them the planner misjudges every join with the table (a 1,200,000-row ledger
    # was estimated at 40,000 rows). Before the DROP: reads still go on meanwhile.
    cursor.execute(f"ANALYZE {_q(new)}")
    positions = {}
    for column, sequence in found["identities"]:
        cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608
        positions[column] = (sequence, *cursor.fetchone())
    cursor.execute(f"DROP TABLE {_q(table)}")
    cursor.execute(f"ALTER TABLE {_q(new)} RENAME TO {_q(table)}")
    for statement in renames:
        cursor.execute(statement)
    for name, comment in comments:
        cursor.execute(f"COMMENT ON CONSTRAINT {_q(name)} ON {_q(table)} IS %s", [comment])
    for column, (sequence, last_value, is_called) in positions.items():
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [_q(table), column])
        current = cursor.fetchone()[0]
        old_name = sequence.rpartition(".")[2].strip('"')
        cursor.execute(f"ALTER SEQUENCE {current} RENAME TO {_q(old_name)}")
        cursor.execute("SELECT setval(%s, %s, %s)", [sequence, last_value, is_called])


def _key_constraint(definition: str, comment: str | None, partition_by: str | None):
    """(definition, comment) of a primary key or unique constraint on the rebuilt table:
    widened by the partition key (remembering the original), or put back as it was."""
    original = comment[len(WIDENED) :] if comment and comment.startswith(WIDENED) else None
    if partition_by is None:
        return (original or definition), None
    match = re.fullmatch(r"(PRIMARY KEY|UNIQUE[A-Z ]*) \((.*)\)(.*)", definition)
    if match is None:
        raise NotImplementedError(f"Cannot widen {definition!r}")
    head, columns, tail = match.groups()
    names = [c.strip().strip('"') for c in columns.split(",")]
    if partition_by in names:
        return definition, comment
    return f"{head} ({columns}, {_q(partition_by)}){tail}", WIDENED + definition


def table_partition(
    *, schema_editor, table: str, key: str, key_kind: str, years_ahead: int = 1
) -> None:
    """Turn the plain `table` into one partitioned by year of `key` (a migration's
    RunPython): a partition for every year that has rows, for the current year and the
    `years_ahead` next (local time), and DEFAULT; rows, ids, constraints (unique ones
    widened by the key), indexes and names kept. No-op where not PostgreSQL or already
    partitioned."""
    connection = schema_editor.connection
    if not _supported(connection) or is_partitioned(table, connection=connection):
        return
    this_year = timezone.localdate().year
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {_q(table)} IN EXCLUSIVE MODE")
        if key_kind == KEY_DATE:
            year = f"extract(year FROM {_q(key)})::int"
        else:
            year = f"{_q(key)}::int"
        cursor.execute(f"SELECT DISTINCT {year} FROM {_q(table)}")  # noqa: S608
        years = {row[0] for row in cursor.fetchall() if row[0] is not None}
        years |= set(range(this_year, this_year + years_ahead + 1))
        _rebuild(cursor, table=table, partition_by=key, years=sorted(years), key_kind=key_kind)


def table_unpartition(*, schema_editor, table: str) -> None:
    """Turn the partitioned `table` back into a plain one with its original constraints,
    indexes and names, rows and ids kept (the reverse of table_partition)."""
    connection = schema_editor.connection
    if not _supported(connection) or not is_partitioned(table, connection=connection):
        return
    with connection.cursor() as cursor:
        _rebuild(cursor, table=table, partition_by=None, years=[], key_kind=KEY_YEAR)
