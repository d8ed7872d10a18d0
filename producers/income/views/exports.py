from django.utils.translation import gettext as _

from ..csv_export import csv_response


def balances_csv(*, rows, filename: str):
    return csv_response(
        filename=filename,
        header=[
            _("建档立卡编号"),
            _("所在村"),
            _("合作社"),
            _("应得"),
            _("已付"),
            _("未付"),
            _("逾期未付"),
        ],
        rows=(
            [
                r["household"].masked_register_number,
                r["household"].village.name,
                r["cooperative"].legal_name,
                r["attributed"],
                r["paid"],
                r["owed"],
                r["overdue"],
            ]
            for r in rows
        ),
    )


def statement_csv(*, statement, filename: str):
    rows = [
        [
            row["booked_on"].isoformat(),
            row["line__order__number"],
            row["line__title"],
            row["cooperative__legal_name"],
            row["kind"],
            row["amount"],
        ]
        for row in statement["income"]
    ]
    rows += [
        [
            p.paid_on.isoformat(),
            p.reference,
            p.get_method_display(),
            p.cooperative.legal_name,
            "payout",
            -p.amount,
        ]
        for p in statement["payouts"]
    ]
    return csv_response(
        filename=filename,
        header=[_("日期"), _("订单号/凭证号"), _("商品/方式"), _("合作社"), _("类型"), _("金额")],
        rows=rows,
    )
