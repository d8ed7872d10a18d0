from django.core.management.base import BaseCommand, CommandError

from config.ops.restore import restore_check


class Command(BaseCommand):
    help = (
        "After restoring a backup: rebuild the income ledger and the purchase facts in memory, "
        "check that every settled line's ledger entries add up, print the totals to compare "
        "with the source, and list every difference. Changes nothing; exits 1 on a difference."
    )

    def handle(self, *args, **options):
        report = restore_check()
        for name, value in report.totals.items():
            self.stdout.write(f"{name}: {value}")
        for difference in report.differences:
            self.stdout.write(f"  {difference}")
        if report.differences:
            raise CommandError(f"{len(report.differences)} difference(s) after the restore.")
        self.stdout.write(self.style.SUCCESS("Zero difference."))
