"""Migrations on a live database: the demo world, loaded at the latest schema, takes the
migrations that change its big tables again, and the ledger and the purchase facts still
equal their rebuilds (docs/scaling.md, "Migrations on a live database").

- producers and producers.income are migrated back (to producers 0006 and income 0001) and
  forward again with the demo world's rows in place: every ALTER, index and constraint of
  producers 0007 and income 0002–0004 is applied to existing data;
- order 0029's backfill of PaymentEventQuantity.amount is run on the demo world's payment
  events with the amounts taken away, and must find exactly the amounts the store recorded.
  (Migrating order back would drop evaluation's off-platform sales with their facts.)"""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from .conftest import manage_env

ROOT = Path(settings.BASE_DIR)

pytestmark = [
    pytest.mark.postgres,
    # The test database must exist to be copied, also when this test runs alone.
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="the locks and rewrites checked here are PostgreSQL's (set DATABASE_URL)",
    ),
]

# Order 0029's backfill, run on the demo world: the amounts and the amount-only rows (refunds
# made in Stripe's dashboard) are taken away, as before 0029, and the backfill puts them back.
# Everything is rolled back afterwards; the script prints what it found.
BACKFILL_AGAIN = """
import importlib, json
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader

name = "0029_payment_event_quantity_amount"
migration = importlib.import_module("marketplace.order.migrations." + name)
apps = MigrationLoader(connection).project_state(("order", name)).apps
Quantity = apps.get_model("order", "PaymentEventQuantity")

def rows():
    return sorted(
        (event, line, quantity, str(amount))
        for event, line, quantity, amount in Quantity.objects.values_list(
            "event_id", "line_id", "quantity", "amount"
        )
    )

class Undo(Exception):
    pass

recorded = rows()
try:
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(
                "ALTER TABLE order_paymenteventquantity "
                "DROP CONSTRAINT payment_event_quantity_moves_something, "
                "ALTER COLUMN amount DROP NOT NULL"
            )
        Quantity.objects.filter(quantity=0).delete()
        Quantity.objects.update(amount=None)
        migration.backfill(apps, None)
        backfilled = rows()
        raise Undo
except Undo:
    pass
print(json.dumps({"recorded": len(recorded), "same": backfilled == recorded,
                  "amount_only": sum(1 for row in recorded if row[2] == 0)}))
"""


def _manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    done = subprocess.run(  # noqa: S603  our own manage.py, fixed arguments
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, f"manage.py {' '.join(args)}:\n{done.stdout}{done.stderr[-3000:]}"
    return done


def _totals(output: str) -> list[str]:
    return [line for line in output.splitlines() if not line.startswith(" ") and ": " in line]


def test_the_big_table_migrations_apply_to_the_demo_world_and_the_rebuilds_agree(
    database_copy, tmp_path
):
    # Given the demo world, its ledger and facts equal to their rebuilds
    env = manage_env(database_copy("migrations_live"), tmp_path)
    _manage("load_demo_world", env=env)
    before = _manage("restore_check", env=env)
    assert "Zero difference." in before.stdout

    # When producers and the income ledger are migrated back and forward again on its rows
    _manage("migrate", "producers", "0006_pairing", env=env)
    _manage("migrate", "income", "0001_initial", env=env)
    forward = _manage("migrate", env=env)
    assert "Applying income.0004_monitoring_lines_followups... OK" in forward.stdout
    assert "Applying producers.0007_household_retention... OK" in forward.stdout

    # Then the ledger and the purchase facts still equal their rebuilds, with the same totals
    after = _manage("restore_check", env=env)
    assert "Zero difference." in after.stdout
    assert _totals(after.stdout) == _totals(before.stdout)

    # And order 0029's backfill finds exactly the amounts the store recorded
    found = json.loads(_manage("shell", "-c", BACKFILL_AGAIN, env=env).stdout.splitlines()[-1])
    assert found["recorded"] > 0
    assert found["same"], found
