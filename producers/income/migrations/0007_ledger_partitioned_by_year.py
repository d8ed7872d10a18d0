"""The income ledger's entries, on PostgreSQL, become a table partitioned by calendar year of
`booked_on` (declarative RANGE partitions, decision 0008): a partition for every year with
entries, for the current and the next year, and a DEFAULT one so that no insert ever fails;
`partitions_ahead` (daily beat task) creates the next years' partitions ahead.

The rows are copied into the partitioned twin under an EXCLUSIVE lock (reads go on, writes
wait), then the old table is dropped and the twin takes its name, indexes, CHECKs and id
sequence position. The primary key becomes (id, booked_on): PostgreSQL requires the partition
key in it; Django's model state is unchanged (`id` is the primary key it knows, unique through
the identity sequence). The reverse copies the rows back into a plain table with the original
primary key, indexes and names. SQLite keeps the plain table (no-op)."""

from django.db import migrations

from core.partitions import KEY_DATE, table_partition, table_unpartition

TABLE = "income_ledgerentry"


def partition(apps, schema_editor):
    table_partition(schema_editor=schema_editor, table=TABLE, key="booked_on", key_kind=KEY_DATE)


def unpartition(apps, schema_editor):
    table_unpartition(schema_editor=schema_editor, table=TABLE)


class Migration(migrations.Migration):
    dependencies = [("income", "0006_ledger_without_foreign_key_constraints")]

    operations = [migrations.RunPython(partition, unpartition, elidable=False)]
