from django.db import migrations


class Migration(migrations.Migration):
    """PortfolioSnapshot now belongs to the portfolio app, which takes over its table."""

    dependencies = [
        ("cartography", "0003_portfoliosnapshot"),
        ("portfolio", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="PortfolioSnapshot")],
            database_operations=[],
        ),
    ]
