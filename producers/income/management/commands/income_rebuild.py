from django.core.management.base import BaseCommand, CommandError

from producers.income.services.rebuild import ledger_rebuild_compare


class Command(BaseCommand):
    help = (
        "Recompute the income ledger from orders and payment events (and sales outside the "
        "store with their supply lots) in memory and compare it "
        "with the stored ledger. Exits with status 1 when they differ."
    )

    def add_arguments(self, parser):
        parser.add_argument("--show", type=int, default=50, help="Differences to list.")

    def handle(self, *args, show: int = 50, **options):
        report = ledger_rebuild_compare()
        self.stdout.write(
            f"Orders {report.orders}, payment events {report.events}, "
            f"sales outside the store {report.outside_sales}, "
            f"expected entries {report.entries}, differences {len(report.differences)}."
        )
        for d in report.differences[:show]:
            self.stdout.write(
                f"  {d.source} household {d.household_id or '-'} "
                f"{d.kind} scheme {d.scheme_id or '-'}: expected {d.expected}, stored {d.stored}"
            )
        if report.differences:
            raise CommandError(
                f"The ledger differs from a rebuild in {len(report.differences)} places."
            )
        self.stdout.write(self.style.SUCCESS("The ledger equals its rebuild: zero difference."))
