from django.core.management.base import BaseCommand

from evaluation.services.rebuild import evaluation_rebuild

SHOWN = 50


def _fact(key) -> str:
    """A fact by its key: (event, line), or ("offplatform", sale, kind)."""
    if key[0] == "offplatform":
        return f"off-platform sale={key[1]} kind={key[2]}"
    return f"event={key[0]} line={key[1]}"


class Command(BaseCommand):
    help = (
        "Rebuild purchase facts and scorecards from the store's payment events and report "
        "every difference. Locked years are compared, never written."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report only; change nothing.")

    def handle(self, *args, dry_run: bool = False, **options):
        report = evaluation_rebuild(dry_run=dry_run)
        out = self.stdout
        out.write(f"facts checked: {report.facts_checked}")
        out.write(f"facts created: {len(report.created)}")
        out.write(f"facts updated: {len({u[0] for u in report.updated})}")
        out.write(f"facts deleted: {len(report.deleted)}")
        out.write(f"differences in locked years (not changed): {len(report.locked_differences)}")
        out.write(f"scorecards changed: {len(report.scorecards_changed)}")
        for key, name, before, after in report.updated[:SHOWN]:
            out.write(f"  fact {_fact(key)}: {name} {before!r} -> {after!r}")
        for key in report.created[:SHOWN]:
            out.write(f"  missing fact {_fact(key)}")
        for key in report.deleted[:SHOWN]:
            out.write(f"  fact without a source {_fact(key)}")
        for key, name in report.locked_differences[:SHOWN]:
            out.write(f"  locked year: fact {_fact(key)} differs in {name}")
        for pairing_id, year in report.scorecards_changed[:SHOWN]:
            out.write(f"  scorecard pairing={pairing_id} year={year} changed")
        if report.differences:
            verb = "would change" if dry_run else "changed"
            out.write(self.style.WARNING(f"{report.differences} difference(s); {verb}."))
        else:
            out.write(self.style.SUCCESS("Facts and scorecards reproduced exactly."))
