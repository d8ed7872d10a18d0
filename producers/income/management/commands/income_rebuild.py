from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

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
        differences = report.differences or []
        self.stdout.write(
            _(
                "已重算订单 %(orders)s 个、支付事件 %(events)s 个、线下销售 %(outside)s 笔，"
                "应有台账记录 %(entries)s 条，差异 %(count)s 处。"
            )
            % {
                "orders": report.orders,
                "events": report.events,
                "outside": report.outside_sales,
                "entries": report.entries,
                "count": len(differences),
            }
        )
        for difference in differences[:show]:
            self.stdout.write(f"  {difference}")
        if differences:
            raise CommandError(
                _("收益台账与重算结果有 %(count)s 处不同。") % {"count": len(differences)}
            )
        self.stdout.write(self.style.SUCCESS(_("收益台账与重算结果一致：零差异。")))
