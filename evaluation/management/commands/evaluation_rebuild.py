from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from evaluation.services.rebuild import evaluation_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild purchase facts and scorecards from the store's payment events and report "
        "every difference. Locked years are compared, never written. With --year, only the "
        "facts counted in that year and its scorecards (one partition of the facts)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report only; change nothing.")
        parser.add_argument("--show", type=int, default=50, help="Differences to list per kind.")
        parser.add_argument(
            "--year",
            type=int,
            help="Only this year: its facts, its own sales' facts and its scorecards.",
        )

    def handle(self, *args, dry_run=False, show=50, year=None, **options):
        report = evaluation_rebuild(dry_run=dry_run, year=year)
        out = self.stdout
        if year is not None:
            out.write(_("%(year)s 年度：") % {"year": year}, ending="")
        out.write(
            _(
                "已核对采购事实 %(checked)s 条：缺少 %(created)s 条，不同 %(updated)s 条，"
                "没有来源 %(deleted)s 条；已锁定年度的差异 %(locked)s 处（不改动）；"
                "考核表与重算不同 %(scorecards)s 张。"
            )
            % {
                "checked": report.facts_checked,
                "created": len(report.created),
                "updated": len({u[0] for u in report.updated}),
                "deleted": len(report.deleted),
                "locked": len(report.locked_differences),
                "scorecards": len(report.scorecards_changed),
            }
        )
        for line in report.described(show=show):
            out.write(f"  {line}")
        if not report.differences:
            out.write(self.style.SUCCESS(_("采购事实与考核表按原样重现：零差异。")))
        elif dry_run:
            out.write(
                self.style.WARNING(
                    _("%(count)s 处差异，试运行未作改动。") % {"count": report.differences}
                )
            )
        else:
            corrected = report.differences - len(report.misplaced)
            if corrected:
                out.write(
                    self.style.WARNING(
                        _("%(count)s 处差异，已锁定年度以外的均已更正。") % {"count": corrected}
                    )
                )
        if report.misplaced:
            out.write(
                self.style.WARNING(
                    _(
                        "%(count)s 条采购事实存放的年度与所计年度不符，"
                        "按年度重建未移动：请运行完整重建。"
                    )
                    % {"count": len(report.misplaced)}
                )
            )
