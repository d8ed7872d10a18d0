"""The project's own migrations, read from Django's migration graph (not listed by hand, so
a new migration is covered as soon as it exists): which tables each touches and which of
its operations cannot be undone. Used by tests/ops/test_migration_graph.py."""

import importlib.util
import inspect
import pkgutil
import re
import sys
from pathlib import Path

from django.apps import apps as global_apps
from django.conf import settings
from django.db import migrations
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations.models import ModelOperation

ROOT = Path(settings.BASE_DIR).resolve()

Key = tuple[str, str]


def _is_project(path: Path) -> bool:
    """Code of this repository, not of an installed package (the venv may sit inside it)."""
    path = path.resolve()
    return path.is_relative_to(ROOT) and "site-packages" not in path.parts


def _upstream_names(app_config) -> set[str]:
    """The migrations a forked app carries over from the app it forks (Oscar's): the
    migration files of the first base AppConfig that lives outside the project."""
    for klass in type(app_config).__mro__[1:]:
        file = getattr(sys.modules.get(klass.__module__), "__file__", None)
        if file is None or _is_project(Path(file)):
            continue
        package = klass.__module__.rpartition(".")[0]
        try:
            spec = importlib.util.find_spec(f"{package}.migrations")
        except ModuleNotFoundError:
            spec = None
        if spec is not None and spec.submodule_search_locations:
            return {m.name for m in pkgutil.iter_modules(spec.submodule_search_locations)}
    return set()


def project_apps() -> dict[str, set[str]]:
    """{app label: the upstream migration names it carries} for the apps whose code is the
    project's (installed packages excluded)."""
    found = {}
    for config in global_apps.get_app_configs():
        if _is_project(Path(config.path)):
            found[config.label] = _upstream_names(config)
    return found


def applying_order(loader: MigrationLoader) -> list[Key]:
    """Every migration in the order a fresh `migrate` applies them."""
    order, seen = [], set()
    for leaf in sorted(loader.graph.leaf_nodes()):
        for key in loader.graph.forwards_plan(leaf):
            if key not in seen:
                seen.add(key)
                order.append(key)
    return order


def project_migrations(loader: MigrationLoader) -> list[Key]:
    """The migrations of the project's own apps, in applying order; for a fork of an Oscar
    app only those beyond Oscar's."""
    apps = project_apps()
    return [key for key in applying_order(loader) if key[0] in apps and key[1] not in apps[key[0]]]


def database_operations(migration) -> list:
    """The operations that reach the database (SeparateDatabaseAndState's database side)."""

    def flatten(operations):
        for operation in operations:
            if isinstance(operation, migrations.SeparateDatabaseAndState):
                yield from flatten(operation.database_operations)
            else:
                yield operation

    return list(flatten(migration.operations))


def _model_table(app_label: str, model_name: str) -> str:
    try:
        return global_apps.get_model(app_label, model_name)._meta.db_table
    except LookupError:  # a model a later migration removed: Django's default name
        return f"{app_label}_{model_name.lower()}"


def tables_touched(migration) -> set[str]:
    """The tables a migration's operations name, plus those its own code names (a RunPython
    or RunSQL that reaches a table by its name or through apps.get_model)."""
    tables = set()
    for operation in database_operations(migration):
        model = getattr(operation, "model_name", None)
        if model is None and isinstance(operation, ModelOperation):
            model = operation.name
        if model:
            tables.add(_model_table(migration.app_label, model))
    if any(
        isinstance(operation, migrations.RunPython | migrations.RunSQL)
        for operation in database_operations(migration)
    ):
        source = inspect.getsource(sys.modules[type(migration).__module__])
        for model in global_apps.get_models():
            meta = model._meta
            if re.search(rf"\b{meta.db_table}\b", source) or (
                f'"{meta.app_label}", "{meta.object_name}"' in source
            ):
                tables.add(meta.db_table)
    return tables


def irreversible_operations(migration) -> list[str]:
    """The database operations Django cannot undo (RunPython without reverse code, RunSQL
    without reverse SQL, …)."""
    return [
        operation.describe()
        for operation in database_operations(migration)
        if not operation.reversible
    ]
