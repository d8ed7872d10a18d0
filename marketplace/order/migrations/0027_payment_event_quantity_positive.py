"""A payment event names at least one unit of each line it settles or refunds.

Oscar's PaymentEventQuantity is a concrete model of Oscar's own (not an abstract one the
fork could subclass), so its Meta cannot take a CheckConstraint: the rule is added here,
as a CHECK constraint on PostgreSQL and as triggers on SQLite (which cannot add a CHECK
to an existing table). A later migration that rebuilds this table on SQLite would drop
the triggers and must add them again."""

from django.db import migrations

TABLE = "order_paymenteventquantity"
NAME = "payment_event_quantity_positive"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT {NAME} CHECK (quantity > 0)")
    elif schema_editor.connection.vendor == "sqlite":
        for operation in ("INSERT", "UPDATE"):
            schema_editor.execute(
                f"CREATE TRIGGER {NAME}_{operation.lower()} BEFORE {operation} ON {TABLE} "
                f"WHEN NEW.quantity <= 0 BEGIN "
                f"SELECT RAISE(ABORT, 'CHECK constraint failed: {NAME}'); END"
            )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE {TABLE} DROP CONSTRAINT IF EXISTS {NAME}")
    elif schema_editor.connection.vendor == "sqlite":
        for operation in ("insert", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {NAME}_{operation}")


class Migration(migrations.Migration):
    dependencies = [
        ("order", "0026_order_and_line_amounts_not_negative"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
