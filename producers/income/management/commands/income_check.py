from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from producers.income.integrity import ledger_integrity_check


class Command(BaseCommand):
    help = (
        "Check the income ledger's rows set-based: every reference exists, every settled "
        "line's and outside sale's entries add up, every reversal matches what it reverses. "
        "Changes nothing; exits 1 listing each difference."
    )

    def add_arguments(self, parser):
        parser.add_argument("--show", type=int, default=200, help="Differences to list.")

    def handle(self, *args, show: int = 200, **options):
        report = ledger_integrity_check()
        self.stdout.write(
            _("已检查台账记录 %(entries)s 条、订单行入账变动 %(movements)s 条。")
            % {"entries": report.entries, "movements": report.movements}
        )
        for difference in report.differences[:show]:
            self.stdout.write(f"  {difference}")
        if report.count:
            raise CommandError(_("收益台账有 %(count)s 处差异。") % {"count": report.count})
        self.stdout.write(self.style.SUCCESS(_("零差异。")))
