"""Migrations on a live database: the demo world, loaded at the latest schema, has the
project's migrations undone and applied again with its rows in place, and the ledger and the
purchase facts still equal their rebuilds (docs/scaling.md, "Migrations on a live database").

Every project migration whose undoing drops no table holding the world's rows is undone and
re-applied (tests/ops/migration_roundtrip.py says how far back and why); the others create
the tables the world lives in and ran before it was loaded. A refund made in Stripe's
dashboard (an amount naming no units) is recorded first, so that order 0029's backfill has
to find its amount-only rows again."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db.migrations.loader import MigrationLoader

from .conftest import manage_env
from .migration_graph import project_migrations

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

# A unit refund, then an amount naming no lines (as Stripe's dashboard makes), on a paid demo
# order of two lines or more that had no refund yet.
REFUND_FROM_THE_DASHBOARD = """
import json
from decimal import Decimal
from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from oscar.core.loading import get_model
from marketplace.payment.events import PAID, REFUND
from marketplace.payment.services import order_refund_offline
from marketplace.payment.services.settlement import (
    payment_refund_record, refund_amount_split, refunded_by_line)

Order = get_model("order", "Order")
Quantity = get_model("order", "PaymentEventQuantity")
order = (
    Order.objects.annotate(
        lines_n=Count("lines", distinct=True),
        refunds=Count("payment_events", filter=Q(payment_events__event_type__code=REFUND)),
    )
    .filter(payment_events__event_type__code=PAID, lines_n__gte=2, refunds=0)
    .order_by("pk")
    .first()
)
staff = get_user_model().objects.filter(is_superuser=True).first()
first = order.lines.order_by("pk").first()
order_refund_offline(order=order, lines_quantities={first: 1}, reference="R-LIVE", actor=staff)
lines = {line.pk: line for line in order.lines.all()}
rows = refund_amount_split(lines=lines, amount=Decimal("3.33"), done=refunded_by_line(order=order))
payment_refund_record(order=order, reference="re_dash_live", lines=rows)
print(json.dumps({"amount_only": Quantity.objects.filter(quantity=0).count()}))
"""

ROUND_TRIP = "from tests.ops.migration_roundtrip import main; main()"


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


def _last_json(output: str) -> dict:
    return json.loads(output.splitlines()[-1])


def test_every_migration_undone_and_applied_again_on_the_demo_world_rebuilds_agree(
    database_copy, tmp_path
):
    # Given the demo world with a refund made in Stripe's dashboard, its ledger and facts
    # equal to their rebuilds
    env = manage_env(database_copy("migrations_live"), tmp_path)
    _manage("load_demo_world", env=env)
    planted = _last_json(_manage("shell", "-c", REFUND_FROM_THE_DASHBOARD, env=env).stdout)
    assert planted["amount_only"] > 0
    before = _manage("restore_check", env=env)
    assert "零差异。" in before.stdout

    # When the project's migrations are undone as far as the world's rows allow, and applied
    # again
    done = _last_json(_manage("shell", "-c", ROUND_TRIP, env=env).stdout)

    # Then every project migration either went round or created a table the world lives in
    loader = MigrationLoader(None, ignore_no_migrations=True)
    ours = {f"{app}.{name}" for app, name in project_migrations(loader)}
    assert set(done["undone"]) | set(done["kept"]) == ours
    assert set(done["undone"]) <= set(done["applied"])
    # the big tables' migrations among those that went round (docs/scaling.md's table)
    assert {
        "order.0026_order_and_line_amounts_not_negative",
        "order.0029_payment_event_quantity_amount",
        "income.0005_outside_sales",
        "evaluation.0008_money_and_locked_summary",
        "evaluation.0010_offplatform_sales",
        "producers.0007_household_retention",
    } <= set(done["undone"])
    # (each kept one because undoing it would drop a table holding the world's rows)
    assert all(done["kept"].values()), done["kept"]
    # no table lost or gained a row
    assert done["rows_changed"] == {}

    # And the ledger and the purchase facts still equal their rebuilds, with the same totals
    after = _manage("restore_check", env=env)
    assert "零差异。" in after.stdout
    assert _totals(after.stdout) == _totals(before.stdout)
