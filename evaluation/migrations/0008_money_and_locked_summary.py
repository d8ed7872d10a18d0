"""A scorecard item keeps the plain money (value) apart from the weighted value its score
is computed from; a year keeps the public summary it had when locked. Existing items had
only the weighted value: it becomes weighted_value, and value becomes the plain sum of
the facts behind it again."""

from decimal import Decimal

from django.db import migrations, models
from django.db.models import F, Q, Sum

MONEY = ("amount_bought", "amount_helped")


def values_split(apps, schema_editor):
    ScorecardItem = apps.get_model("evaluation", "ScorecardItem")
    PurchaseFact = apps.get_model("evaluation", "PurchaseFact")
    ScorecardItem.objects.update(weighted_value=F("value"))
    weighted = ScorecardItem.objects.filter(
        indicator__measure__in=MONEY, indicator__priority_extra_weight__gt=0
    ).select_related("indicator", "scorecard")
    for item in weighted:
        indicator = item.indicator
        role = "helped_pairing" if indicator.measure == "amount_helped" else "bought_pairing"
        scope = Q(counts=True)
        if indicator.filter == "deep_poverty":
            scope &= Q(origin_deep_poverty=True)
        elif indicator.filter == "supervision_target":
            scope &= Q(origin_supervision_target=True)
        elif indicator.filter == "exited":
            scope &= Q(origin_exit_year__lt=indicator.year)
        total = PurchaseFact.objects.filter(
            scope, year=item.scorecard.year, **{role: item.scorecard.pairing_id}
        ).aggregate(total=Sum("amount"))["total"]
        item.value = total or Decimal("0")
        item.save(update_fields=["value"])


def values_join(apps, schema_editor):
    """Undone: before this migration an item had one value, the weighted one (the column
    about to be dropped), and scores were read from it."""
    ScorecardItem = apps.get_model("evaluation", "ScorecardItem")
    ScorecardItem.objects.update(value=F("weighted_value"))


class Migration(migrations.Migration):
    dependencies = [("evaluation", "0007_pairing_moves_to_producers")]

    operations = [
        migrations.AddField(
            model_name="scorecarditem",
            name="weighted_value",
            field=models.DecimalField(
                decimal_places=4, default=0, max_digits=18, verbose_name="加权完成值"
            ),
        ),
        migrations.AddField(
            model_name="evaluationyear",
            name="public_summary",
            field=models.JSONField(
                blank=True, editable=False, null=True, verbose_name="锁定时的公开汇总"
            ),
        ),
        migrations.RunPython(values_split, values_join),
    ]
