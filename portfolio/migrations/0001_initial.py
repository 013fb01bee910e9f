import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Takes over the weekly snapshots' table from the cartography app (state only), then
    renames it."""

    initial = True

    dependencies = [
        ("cartography", "0003_portfoliosnapshot"),
        ("firms", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PortfolioSnapshot",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("taken_on", models.DateField(verbose_name="semaine du")),
                        ("clients", models.PositiveIntegerField(default=0)),
                        ("high", models.PositiveIntegerField(default=0)),
                        ("medium", models.PositiveIntegerField(default=0)),
                        ("low", models.PositiveIntegerField(default=0)),
                        ("unscored", models.PositiveIntegerField(default=0)),
                        ("determined", models.PositiveIntegerField(default=0)),
                        ("reception_pa", models.PositiveIntegerField(default=0)),
                        ("issuing_due", models.PositiveIntegerField(default=0)),
                        ("issuing_pa", models.PositiveIntegerField(default=0)),
                        ("stale", models.PositiveIntegerField(default=0)),
                        ("average_compliance", models.PositiveSmallIntegerField(blank=True, null=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "firm",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="firms.firm",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "instantané du portefeuille",
                        "verbose_name_plural": "instantanés du portefeuille",
                        "ordering": ["taken_on"],
                        "db_table": "cartography_portfoliosnapshot",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("firm", "taken_on"), name="portfolio_snapshot_one_per_week"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="portfoliosnapshot", table=None),
    ]
