"""Pairing moves here from evaluation: which regions are paired belongs with the regions,
below the store. State only: the table keeps its name (evaluation_pairing) and its rows;
evaluation's 0007 then drops the model from its own state."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('producers', '0005_evidence_private_storage'),
        # The table exists and has lost its link to the store.
        ('evaluation', '0006_designated_buyer'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Pairing',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('east_west', '东西部协作'), ('designated', '定点帮扶')], max_length=12, verbose_name='类型')),
                        ('assisting_unit', models.CharField(blank=True, help_text='定点帮扶时填写中央单位名称', max_length=128, verbose_name='定点帮扶单位')),
                        ('start_year', models.PositiveSmallIntegerField(verbose_name='起始年份')),
                        ('end_year', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='终止年份')),
                        ('east_region', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='pairings_as_east', to='producers.region', verbose_name='东部帮扶地区')),
                        ('west_region', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='pairings_as_west', to='producers.region', verbose_name='西部受帮扶地区')),
                    ],
                    options={
                        'verbose_name': '结对关系',
                        'verbose_name_plural': '结对关系',
                        'db_table': 'evaluation_pairing',
                        'ordering': ('kind', 'id'),
                        'constraints': [models.UniqueConstraint(condition=models.Q(('kind', 'east_west')), fields=('east_region', 'west_region'), name='unique_east_west_pairing'), models.UniqueConstraint(condition=models.Q(('kind', 'designated')), fields=('assisting_unit', 'west_region'), name='unique_designated_pairing')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
