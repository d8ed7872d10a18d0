from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.ops.restore import restore_check

# The totals' labels, in the order printed.
LABELS = {
    "orders": gettext_lazy("订单数"),
    "payment events": gettext_lazy("支付事件数"),
    "ledger entries": gettext_lazy("台账记录数"),
    "ledger total": gettext_lazy("台账金额合计"),
    "purchase facts": gettext_lazy("采购事实数"),
    "purchase facts total": gettext_lazy("采购事实金额合计"),
}


class Command(BaseCommand):
    help = (
        "After restoring a backup: rebuild the income ledger and the purchase facts in memory, "
        "check that every settled line's ledger entries add up, print the totals to compare "
        "with the source, and list every difference. Changes nothing; exits 1 on a difference."
    )

    def handle(self, *args, **options):
        report = restore_check()
        for name, value in report.totals.items():
            self.stdout.write(f"{LABELS[name]}: {value}")
        for difference in report.differences:
            self.stdout.write(f"  {difference}")
        if report.differences:
            raise CommandError(
                _("恢复后有 %(count)s 处差异。") % {"count": len(report.differences)}
            )
        self.stdout.write(self.style.SUCCESS(_("零差异。")))
