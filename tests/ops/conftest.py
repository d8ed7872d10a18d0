import os
import time
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connections
from wagtail.models import Collection, Locale, Page

from tests.store_factories import china_country


def admin_dsn(database: str) -> str:
    db = settings.DATABASES["default"]
    return f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{database}"


def database_url(database: str) -> str:
    return admin_dsn(database).replace("postgresql://", "postgres://")


def manage_env(database: str, tmp_path: Path) -> dict[str, str]:
    """The environment of a `manage.py` child process on `database`: this process's
    without pytest's, Django's or Celery's settings, and media kept under `tmp_path`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTEST", "DJANGO_", "CELERY_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=database_url(database),
        MEDIA_ROOT=str(tmp_path / "media"),
        PRIVATE_MEDIA_ROOT=str(tmp_path / "private"),
    )
    return env


def migration_rows_restore() -> None:
    """Put back the rows data migrations write (the shipping country, Wagtail's root page
    and root collection): a transactional test run earlier flushes them from the test
    database a copy is made of."""
    china_country()
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")
    if Page.get_first_root_node() is None:
        locale, _created = Locale.objects.get_or_create(language_code="zh-hans")
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale))


def drop_database(name: str) -> None:
    with psycopg.connect(admin_dsn("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def database_copy(django_db_setup, django_db_blocker):
    """Call with a suffix: a new database with the schema, copied from the migrated test
    database (a full `migrate` takes minutes on a shared CI core); yields its name. Every
    database made is dropped after the test."""
    made = []
    with django_db_blocker.unblock():
        connection = connections["default"]
        template = connection.settings_dict["NAME"]
        # Before a test has used the database, its settings may still name the main one.
        if not template.startswith("test_"):
            template = connection.creation._get_test_db_name()
        else:
            migration_rows_restore()
        connections.close_all()

    def copy(suffix: str, *, empty: bool = False) -> str:
        name = f"{template}_{suffix}"
        drop_database(name)
        source = "template0" if empty else f'"{template}"'
        with psycopg.connect(admin_dsn("postgres"), autocommit=True) as admin:
            # A copy needs the template to itself: a connection an earlier test's thread left
            # open (a live server's) may take a moment to go; then it is ended.
            for attempt in range(6):
                try:
                    admin.execute(f'CREATE DATABASE "{name}" TEMPLATE {source}')
                    break
                except psycopg.errors.ObjectInUse:
                    if attempt == 4:
                        admin.execute(
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = %s AND pid <> pg_backend_pid()",
                            [template],
                        )
                    time.sleep(1)
            else:
                pytest.fail(f"the test database {template} could not be copied")
        made.append(name)
        return name

    yield copy
    for name in made:
        drop_database(name)
