"""The household income CSVs of the county office and the cooperative: money with two
places, kinds by their label in the user's language (never the code), dates local."""

from django.utils.translation import gettext as _

from ..csv_export import csv_response, money_cell
from ..models import EntryKind


def balances_csv(*, rows, filename: str):
    return csv_response(
        filename=filename,
        header=[
            _("建档立卡编号"),
            _("所在村"),
            _("合作社"),
            _("应得（元）"),
            _("已付（元）"),
            _("未付（元）"),
            _("逾期未付（元）"),
        ],
        rows=(
            [
                r["household"].masked_register_number,
                r["household"].village.name,
                r["cooperative"].legal_name,
                money_cell(r["attributed"]),
                money_cell(r["paid"]),
                money_cell(r["owed"]),
                money_cell(r["overdue"]),
            ]
            for r in rows
        ),
    )


def _kind_label(code: str) -> str:
    try:
        return str(EntryKind(code).label)
    except ValueError:  # a kind no longer defined: say what it was rather than fail
        return code


def statement_csv(*, statement, filename: str):
    rows = [
        [
            row["booked_on"].isoformat(),  # the local date of the payment event
            row["source"],  # the order number, or 线下销售
            row["title"],
            row["cooperative__legal_name"],
            (_("线下销售更正冲销") if row["is_offplatform"] else _("退款冲减"))
            + "："
            + _kind_label(row["kind"])
            if row.get("is_refund")
            else _kind_label(row["kind"]),
            money_cell(row["amount"]),
        ]
        for row in statement["income"]
    ]
    rows += [
        [
            p.paid_on.isoformat(),
            p.reference,
            p.get_method_display(),
            p.cooperative.legal_name,
            _("兑付"),
            money_cell(-p.amount),
        ]
        for p in statement["payouts"]
    ]
    return csv_response(
        filename=filename,
        header=[
            _("日期"),
            _("订单号/凭证号"),
            _("商品/方式"),
            _("合作社"),
            _("类型"),
            _("金额（元）"),
        ],
        rows=rows,
    )
