"""The purchase facts, on PostgreSQL, become a table partitioned by the year a fact counts in
(`year`, declarative RANGE partitions, decision 0008): a partition for every year with facts,
for the current and the next year, and a DEFAULT one so that no insert ever fails;
`partitions_ahead` (daily beat task) creates the next years' partitions ahead. A year's
scorecards and reports then read one partition.

The rows are copied into the partitioned twin under an EXCLUSIVE lock (reads go on, writes
wait), then the old table is dropped and the twin takes its name, indexes, CHECKs, foreign
keys and id sequence position. PostgreSQL requires the partition key in every unique
constraint: the primary key becomes (id, year), one_fact_per_event_and_line (payment_event,
line, year) and one_fact_per_offplatform_sale_and_kind (offplatform_sale, kind, year). That
the same event line or sale kind is not written in two different years is held by the
writers, serialised on the year rows (decision 0008). Django's model state is unchanged. The
reverse copies the rows back into a plain table with the original constraints, indexes and
names. SQLite keeps the plain table (no-op)."""

from django.db import migrations

from core.partitions import KEY_YEAR, table_partition, table_unpartition

TABLE = "evaluation_purchasefact"


def partition(apps, schema_editor):
    table_partition(schema_editor=schema_editor, table=TABLE, key="year", key_kind=KEY_YEAR)


def unpartition(apps, schema_editor):
    table_unpartition(schema_editor=schema_editor, table=TABLE)


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0012_slack_followups")]

    operations = [migrations.RunPython(partition, unpartition, elidable=False)]
