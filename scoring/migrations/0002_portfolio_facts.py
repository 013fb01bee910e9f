"""The narrow facts row beside each score (filled by the next migration)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0007_client_import_file_purge'),
        ('firms', '0001_initial'),
        ('scoring', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='PortfolioFacts',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('level', models.CharField(choices=[('low', 'Faible'), ('medium', 'Moyenne'), ('high', 'Élevée')], max_length=10)),
                ('total', models.PositiveIntegerField()),
                ('compliance', models.PositiveSmallIntegerField()),
                ('size_category', models.CharField(blank=True, max_length=5)),
                ('in_scope', models.BooleanField(null=True)),
                ('obligations_complete', models.BooleanField(default=False)),
                ('must_receive', models.BooleanField(null=True)),
                ('receive_from', models.DateField(null=True)),
                ('must_issue', models.BooleanField(null=True)),
                ('issue_from', models.DateField(null=True)),
                ('e_reporting', models.BooleanField(null=True)),
                ('e_reporting_from', models.DateField(null=True)),
                ('reception_stage', models.PositiveSmallIntegerField(default=0)),
                ('issuing_stage', models.PositiveSmallIntegerField(default=0)),
                ('software_readiness', models.PositiveSmallIntegerField(null=True)),
                ('client', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='facts', to='clients.client')),
                ('firm', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='firms.firm')),
            ],
            options={
                'verbose_name': 'faits du portefeuille',
                'verbose_name_plural': 'faits du portefeuille',
                'constraints': [models.UniqueConstraint(fields=('firm', 'client'), name='facts_one_per_client')],
            },
        ),
    ]
