"""Pairing now belongs to producers (producers' 0006_pairing): evaluation's references
point there and the model leaves evaluation's state; no table changes. Its content type
follows it, lock_year moves to EvaluationYear and view_scorecard is Scorecard's own."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _pairing_type(apps, app_label):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.filter(app_label=app_label, model="pairing").first()


def permissions_move(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    old = _pairing_type(apps, "evaluation")
    if old is None:
        return  # a new database: post_migrate creates each permission where it belongs
    year, _ = ContentType.objects.get_or_create(app_label="evaluation", model="evaluationyear")
    if not Permission.objects.filter(content_type=year, codename="lock_year").exists():
        Permission.objects.filter(content_type=old, codename="lock_year").update(
            content_type=year
        )
    card_view = Permission.objects.filter(
        content_type__app_label="evaluation",
        content_type__model="scorecard",
        codename="view_scorecard",
    ).first()
    old_view = Permission.objects.filter(content_type=old, codename="view_scorecard").first()
    if old_view is not None and card_view is not None:
        # Whoever could see scorecards through the pairing's permission keeps seeing them.
        for through, owner in (
            (apps.get_model("auth", "Group").permissions.through, "group_id"),
            (apps.get_model(settings.AUTH_USER_MODEL).user_permissions.through, "user_id"),
        ):
            for owner_id in through.objects.filter(permission=old_view).values_list(
                owner, flat=True
            ):
                through.objects.get_or_create(**{owner: owner_id, "permission": card_view})
        old_view.delete()
    if _pairing_type(apps, "producers") is None:
        # add/change/delete/view_pairing and the admin's history follow the model.
        old.app_label = "producers"
        old.save(update_fields=["app_label"])


def permissions_restore(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    moved = _pairing_type(apps, "producers")
    if moved is None or _pairing_type(apps, "evaluation") is not None:
        return
    moved.app_label = "evaluation"
    moved.save(update_fields=["app_label"])
    Permission.objects.filter(
        content_type__app_label="evaluation",
        content_type__model="evaluationyear",
        codename="lock_year",
    ).update(content_type=moved)


class Migration(migrations.Migration):

    dependencies = [
        ('evaluation', '0006_designated_buyer'),
        ('producers', '0006_pairing'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('auth', '0012_alter_user_first_name_max_length'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='purchasefact',
                    name='helped_pairing',
                    field=models.ForeignKey(db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='helped_facts', to='producers.pairing'),
                ),
                migrations.AlterField(
                    model_name='purchasefact',
                    name='bought_pairing',
                    field=models.ForeignKey(db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='bought_facts', to='producers.pairing'),
                ),
                migrations.AlterField(
                    model_name='scorecard',
                    name='pairing',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='scorecards', to='producers.pairing', verbose_name='结对关系'),
                ),
                migrations.AlterField(
                    model_name='agreement',
                    name='pairing',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='agreements', to='producers.pairing', verbose_name='结对关系'),
                ),
                migrations.AlterField(
                    model_name='designatedbuyer',
                    name='pairing',
                    field=models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='designated_buyer', serialize=False, to='producers.pairing', verbose_name='结对关系'),
                ),
                migrations.DeleteModel(
                    name='Pairing',
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelOptions(
            name='evaluationyear',
            options={'ordering': ('year',), 'permissions': [('lock_year', '锁定考核年度')], 'verbose_name': '考核年度', 'verbose_name_plural': '考核年度'},
        ),
        migrations.RunPython(permissions_move, permissions_restore),
    ]
