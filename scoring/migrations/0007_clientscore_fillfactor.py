"""Half of each page of the scores' table left free, so that rescoring a client writes its new
row version on the same page without touching the table's indexes (a HOT update): a full
rescoring updates every row, and on full pages each update also wrote an entry in each of the
six indexes and grew the table (bench/README.md). PostgreSQL only; the pages already written
get the free space as the next rescoring moves their rows."""

from django.db import migrations


def set_fillfactor(apps, schema_editor, value=50):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE scoring_clientscore SET (fillfactor = {int(value)})")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE scoring_clientscore RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [("scoring", "0006_portfoliofacts_firm_total")]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]
