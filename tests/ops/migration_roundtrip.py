"""Undo the project's migrations on a populated database and apply them again, in one
process (run by tests/ops/test_migrations_live.py through `manage.py shell`; prints one
JSON line).

How far back: every project migration whose undoing drops no table holding rows (undoing
a migration also undoes those that depend on it). The others create the tables the world
lives in; they ran on the empty database before the world was loaded.

A column an undone migration adds without computing it (no code of the migration names it)
holds what people entered after the migration: applying the migration again cannot know it,
so its values are kept aside and put back, as its users would type them again. A column the
migration computes (a backfill) is left to the migration: that is what is being tested."""

import inspect
import json

from django.apps import apps as global_apps
from django.db import connection, migrations
from django.db.migrations.executor import MigrationExecutor

from .migration_graph import _model_table, database_operations, project_migrations

Key = tuple[str, str]


def _table_rows(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [f'"{table}"'])
        if cursor.fetchone()[0] is None:
            return 0
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608  names from the catalog
        return cursor.fetchone()[0]


def _all_rows() -> dict[str, int]:
    """Rows by table; a partitioned table's are counted on it, not by partition: converting
    a table moves its rows out of DEFAULT into their year's partition (decision 0008)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename NOT IN ('django_migrations', 'django_content_type', "
            "'auth_permission') AND tablename NOT LIKE 'roundtrip\\_%%' "
            "AND NOT (SELECT relispartition FROM pg_class WHERE oid = to_regclass(tablename))"
        )
        tables = [row[0] for row in cursor.fetchall()]
    return {table: _table_rows(table) for table in sorted(tables)}


def _app_parent(graph, key: Key) -> Key:
    parents = sorted(p.key for p in graph.node_map[key].parents if p.key[0] == key[0])
    return parents[-1] if parents else (key[0], None)


def _tables_with_rows_dropped(plan) -> list[str]:
    dropped = []
    for migration, _backwards in plan:
        for operation in database_operations(migration):
            if isinstance(operation, migrations.CreateModel):
                table = _model_table(migration.app_label, operation.name)
                if _table_rows(table):
                    dropped.append(table)
    return dropped


def undo_targets(executor: MigrationExecutor) -> tuple[list[Key], dict[Key, list[str]]]:
    """(the targets to migrate back to, {each project migration left applied: the tables
    holding rows that undoing it would drop})."""
    graph = executor.loader.graph
    applied = set(executor.loader.applied_migrations)
    ours = [key for key in project_migrations(executor.loader) if key in applied]
    dropping = {
        key: _tables_with_rows_dropped(executor.migration_plan([_app_parent(graph, key)]))
        for key in ours
    }
    targets = []
    for app in dict.fromkeys(key[0] for key in ours):
        first = None
        for key in reversed([k for k in ours if k[0] == app]):
            if dropping[key]:
                break
            first = key
        if first is not None:
            targets.append(_app_parent(graph, first))
    undone = {(m.app_label, m.name) for m, _ in executor.migration_plan(targets)}
    return targets, {key: dropping[key] for key in ours if key not in undone}


def _entered_columns(plan) -> list[tuple[str, str, str]]:
    """(table, primary key column, column) of every column the plan's migrations add and
    none of their own code computes."""
    found = []
    for migration, _backwards in plan:
        operations = database_operations(migration)
        code = "".join(
            inspect.getsource(op.code)
            + (inspect.getsource(op.reverse_code) if op.reverse_code else "")
            for op in operations
            if isinstance(op, migrations.RunPython)
        ) + "".join(str(op.sql) for op in operations if isinstance(op, migrations.RunSQL))
        for operation in operations:
            if not isinstance(operation, migrations.AddField) or operation.name in code:
                continue
            try:
                model = global_apps.get_model(migration.app_label, operation.model_name)
                field = model._meta.get_field(operation.name)
            except LookupError:
                continue  # a field a later migration removed
            found.append((model._meta.db_table, model._meta.pk.column, field.column))
    return found


def _aside(columns) -> None:
    with connection.cursor() as cursor:
        for n, (table, pk, column) in enumerate(columns):
            cursor.execute(
                f'CREATE TABLE roundtrip_{n} AS SELECT "{pk}" AS pk, "{column}" AS value '  # noqa: S608
                f'FROM "{table}"'
            )


def _back(columns) -> None:
    with connection.cursor() as cursor:
        for n, (table, pk, column) in enumerate(columns):
            cursor.execute(
                f'UPDATE "{table}" AS t SET "{column}" = s.value FROM roundtrip_{n} AS s '  # noqa: S608
                f'WHERE t."{pk}" = s.pk'
            )
            cursor.execute(f"DROP TABLE roundtrip_{n}")


def main() -> None:
    rows_before = _all_rows()
    executor = MigrationExecutor(connection)
    targets, kept = undo_targets(executor)
    plan = executor.migration_plan(targets)
    assert not _tables_with_rows_dropped(plan)
    columns = _entered_columns(plan)
    _aside(columns)
    executor.migrate(targets)
    executor = MigrationExecutor(connection)
    forward = executor.migration_plan(executor.loader.graph.leaf_nodes())
    executor.migrate(executor.loader.graph.leaf_nodes())
    _back(columns)
    rows_after = _all_rows()
    print(  # noqa: T201  the test reads this line
        json.dumps(
            {
                "undone": sorted(f"{m.app_label}.{m.name}" for m, _ in plan),
                "applied": sorted(f"{m.app_label}.{m.name}" for m, _ in forward),
                "kept": {f"{app}.{name}": tables for (app, name), tables in kept.items()},
                "columns_put_back": sorted(f"{t}.{c}" for t, _pk, c in columns),
                "rows_changed": {
                    t: [rows_before.get(t), rows_after.get(t)]
                    for t in rows_before.keys() | rows_after.keys()
                    if rows_before.get(t) != rows_after.get(t)
                },
            }
        )
    )
