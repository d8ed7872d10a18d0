from django.core.management.base import BaseCommand, CommandError

from config.ops.health import health_failing, health_report


class Command(BaseCommand):
    help = "Checks the database, cache, broker, storage, beat and a worker, as /health/ does."

    def handle(self, *args, **options):
        report = health_report()
        for part, state in report.items():
            self.stdout.write(f"{part:<9} {state}")
        failing = health_failing(report)
        if failing:
            raise CommandError(f"unhealthy: {', '.join(failing)}")
        self.stdout.write(self.style.SUCCESS("healthy"))
