import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("evaluation", "0011_locked_figures"),
        ("producers", "0006_pairing"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SlackFollowUp",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(verbose_name="年度")),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("visit", "入户走访"),
                            ("interview", "约谈"),
                            ("assistance", "落实帮扶措施"),
                            ("other", "其他"),
                        ],
                        max_length=12,
                        verbose_name="跟进方式",
                    ),
                ),
                ("note", models.TextField(verbose_name="跟进情况")),
                (
                    "measure",
                    models.CharField(blank=True, max_length=200, verbose_name="帮扶措施"),
                ),
                (
                    "next_review_on",
                    models.DateField(blank=True, null=True, verbose_name="下次复核日期"),
                ),
                ("closes", models.BooleanField(default=False, verbose_name="已整改，办结")),
                ("recorded_at", models.DateTimeField(verbose_name="跟进时间")),
                (
                    "pairing",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="slack_follow_ups",
                        to="producers.pairing",
                        verbose_name="结对关系",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="跟进人",
                    ),
                ),
            ],
            options={
                "verbose_name": "帮扶力度下降跟进记录",
                "verbose_name_plural": "帮扶力度下降跟进记录",
                "ordering": ("pairing", "year", "recorded_at", "id"),
                "permissions": [("record_slack_follow_up", "可记录帮扶力度下降跟进")],
                "indexes": [
                    models.Index(
                        fields=["year", "pairing", "recorded_at"],
                        name="evaluation__year_d09400_idx",
                    )
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("closes", True), ("next_review_on__isnull", False), _connector="OR"
                        ),
                        name="slack_followup_closes_or_has_next_review",
                    )
                ],
            },
        ),
    ]
