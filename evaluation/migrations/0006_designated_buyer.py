"""A designated pairing's store account moves off the pairing into DesignatedBuyer, so the
pairing can move below the store (producers, 0006_pairing) with no link up to it."""

import django.db.models.deletion
from django.db import migrations, models


def buyers_copy(apps, schema_editor):
    Pairing = apps.get_model("evaluation", "Pairing")
    DesignatedBuyer = apps.get_model("evaluation", "DesignatedBuyer")
    DesignatedBuyer.objects.bulk_create(
        DesignatedBuyer(pairing_id=pk, organisation_id=organisation_id)
        for pk, organisation_id in Pairing.objects.filter(
            assisting_organisation__isnull=False
        ).values_list("pk", "assisting_organisation_id")
    )


def buyers_restore(apps, schema_editor):
    Pairing = apps.get_model("evaluation", "Pairing")
    DesignatedBuyer = apps.get_model("evaluation", "DesignatedBuyer")
    for buyer in DesignatedBuyer.objects.all():
        Pairing.objects.filter(pk=buyer.pairing_id).update(
            assisting_organisation_id=buyer.organisation_id
        )


class Migration(migrations.Migration):

    dependencies = [
        ('evaluation', '0005_facts_descriptive_references_without_db_constraints'),
        ('organisations', '0004_amounts_positive'),
    ]

    operations = [
        migrations.CreateModel(
            name='DesignatedBuyer',
            fields=[
                ('pairing', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='designated_buyer', serialize=False, to='evaluation.pairing', verbose_name='结对关系')),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='designated_buyers', to='organisations.organisation', verbose_name='帮扶单位采购账户')),
            ],
            options={
                'verbose_name': '帮扶单位采购账户',
                'verbose_name_plural': '帮扶单位采购账户',
            },
        ),
        migrations.RunPython(buyers_copy, buyers_restore),
        migrations.RemoveField(
            model_name='pairing',
            name='assisting_organisation',
        ),
    ]
