"""Backup and restore prove themselves: the demo world's database is dumped with pg_dump,
restored with pg_restore into a new database, and `manage.py restore_check` there finds the
ledger and the purchase facts equal to their rebuilds, every settled line balanced, and the
same totals as the source, and `income_check` finds the ledger whole. A restore that lost a
ledger row is reported, row by row."""

import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from .conftest import admin_dsn, manage_env

ROOT = Path(settings.BASE_DIR)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="pg_dump and pg_restore need PostgreSQL (set DATABASE_URL)",
    ),
]


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603  our own manage.py, fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def _totals(output: str) -> list[str]:
    return [line for line in output.splitlines() if not line.startswith(" ") and ": " in line]


def _pg(tool: str, *args: str) -> None:
    db = settings.DATABASES["default"]
    common = ["-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432), "-U", db["USER"]]
    done = subprocess.run(  # noqa: S603  PostgreSQL's own tools, fixed arguments
        [tool, *common, *args], capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]


def test_the_demo_world_restored_from_a_dump_reports_zero_difference(database_copy, tmp_path):
    # Given the demo world in its own database, with its orders settled into the ledger
    source = database_copy("backup_source")
    env = manage_env(source, tmp_path)
    loaded = _manage("load_demo_world", env=env)
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    before = _manage("restore_check", env=env)
    assert before.returncode == 0, before.stdout + before.stderr
    assert "台账记录数: 0" not in before.stdout
    # and the ledger's own check (no foreign keys hold it) finds nothing either
    checked = _manage("income_check", env=env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "零差异" in checked.stdout

    # When it is dumped and restored into a new database, as README's procedure says
    dump = tmp_path / "dongxi.dump"
    _pg("pg_dump", "--format=custom", "--no-owner", f"--file={dump}", source)
    restored = database_copy("backup_restored", empty=True)
    _pg("pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored}", str(dump))

    # Then the restore check finds zero difference and the source's totals
    after = _manage("restore_check", env=manage_env(restored, tmp_path))
    assert after.returncode == 0, after.stdout + after.stderr
    assert "零差异。" in after.stdout
    assert _totals(after.stdout) == _totals(before.stdout)

    # And a restore that lost a ledger row is caught, naming the line
    with psycopg.connect(admin_dsn(restored), autocommit=True) as db:
        event, line = db.execute(
            "DELETE FROM income_ledgerentry WHERE id = (SELECT min(id) FROM income_ledgerentry) "
            "RETURNING payment_event_id, line_id"
        ).fetchone()
    damaged = _manage("restore_check", env=manage_env(restored, tmp_path))
    assert damaged.returncode != 0
    assert f"收益台账 支付事件 {event} 订单行 {line}" in damaged.stdout
    unbalanced = _manage("income_check", env=manage_env(restored, tmp_path))
    assert unbalanced.returncode == 1
    assert f"支付事件 {event} 订单行 {line}" in unbalanced.stdout
