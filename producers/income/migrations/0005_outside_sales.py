# Sales outside the store (decision 0007) on the income ledger: the source model, its
# reversal, the lot behind it, and a ledger entry of exactly one source (a CHECK).
#
# On a big ledger: dropping NOT NULL and adding a nullable column are catalogue changes;
# the partial index holds no store entry; the CHECK scans the table once under the
# migration's lock (docs/scaling.md: run with lock_timeout, or add it NOT VALID and
# VALIDATE it in a second step, on a ledger of millions of rows).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0033_product_certificates"),
        ("income", "0004_monitoring_lines_followups"),
        ("producers", "0007_household_retention"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="OutsideSale",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("quantity", models.PositiveIntegerField(verbose_name="数量")),
                (
                    "amount",
                    models.DecimalField(decimal_places=2, max_digits=12, verbose_name="金额（元）"),
                ),
                ("sold_on", models.DateField(verbose_name="销售日期")),
                ("reference", models.CharField(max_length=64, verbose_name="来源记录")),
                ("created_at", models.DateTimeField(verbose_name="记录时间")),
                (
                    "cooperative",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="producers.cooperative",
                        verbose_name="合作社",
                    ),
                ),
                (
                    "product",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="catalogue.product",
                        verbose_name="商品",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "线下销售收益来源",
                "verbose_name_plural": "线下销售收益来源",
                "ordering": ("id",),
                "constraints": [
                    models.UniqueConstraint(
                        fields=("reference", "product"), name="one_outside_sale_per_product"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("amount__gte", 0)),
                        name="outside_sale_amount_not_negative",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="OutsideSaleReversal",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("reversed_on", models.DateField(verbose_name="冲销日期")),
                ("created_at", models.DateTimeField(verbose_name="记录时间")),
                (
                    "outside_sale",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reversal",
                        to="income.outsidesale",
                    ),
                ),
            ],
            options={
                "verbose_name": "线下销售收益冲销",
                "verbose_name_plural": "线下销售收益冲销",
            },
        ),
        migrations.AlterField(
            model_name="ledgerentry",
            name="line",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="ledger_entries",
                to="order.line",
                verbose_name="订单行",
            ),
        ),
        migrations.AlterField(
            model_name="ledgerentry",
            name="payment_event",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="order.paymentevent",
                verbose_name="支付事件",
            ),
        ),
        migrations.AddField(
            model_name="ledgerentry",
            name="outside_sale",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="entries",
                to="income.outsidesale",
                verbose_name="线下销售",
            ),
        ),
        migrations.AddField(
            model_name="supplylot",
            name="outside_sale",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="lot",
                to="income.outsidesale",
                verbose_name="线下销售",
            ),
        ),
        migrations.AddIndex(
            model_name="ledgerentry",
            index=models.Index(
                condition=models.Q(("outside_sale__isnull", False)),
                fields=["outside_sale", "household"],
                name="ledger_outside_sale",
            ),
        ),
        migrations.AddConstraint(
            model_name="ledgerentry",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("line__isnull", False),
                        ("outside_sale__isnull", True),
                        ("payment_event__isnull", False),
                    ),
                    models.Q(
                        ("line__isnull", True),
                        ("outside_sale__isnull", False),
                        ("payment_event__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="ledger_entry_has_exactly_one_source",
            ),
        ),
    ]
