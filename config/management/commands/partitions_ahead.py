from django.core.management.base import BaseCommand

from core.partitions import partition_years, partitioned_tables, partitions_ahead, partitions_of


class Command(BaseCommand):
    help = (
        "Creates the current and next year's partitions of the tables partitioned by year "
        "(as the daily beat task does) and lists each table's partitions."
    )

    def handle(self, *args, **options):
        for table, created in partitions_ahead().items():
            for year, moved in created:
                self.stdout.write(f"{table}: created {year} ({moved} rows moved out of DEFAULT)")
        for table in partitioned_tables():
            partitions = partitions_of(table.table)
            if not partitions:
                self.stdout.write(f"{table.table}: not partitioned")
                continue
            years = ", ".join(str(y) for y in partition_years(table.table))
            self.stdout.write(f"{table.table}: years {years}; {len(partitions)} partitions")
