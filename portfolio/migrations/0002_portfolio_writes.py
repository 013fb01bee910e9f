"""The log of the writes that change the dashboard's headline figures (PortfolioWrite), filled
by statement-level triggers on the tables the figures count. PostgreSQL only: on SQLite the
figures are counted at each view."""

import django.db.models.deletion
import django.db.models.functions.datetime
from django.db import migrations, models

# The tables whose rows the headline figures count, whatever the filters
# (tests/portfolio/test_kept_figures.py checks the figures' SQL against the triggers installed).
WATCHED_TABLES = (
    "clients_client",
    "scoring_portfoliofacts",
    "fiscal_questionnaire_obligations",
    "self_service_proposal",
)
EVENTS = (("insert", "INSERT", "NEW"), ("update", "UPDATE", "NEW"), ("delete", "DELETE", "OLD"))

# One row per firm and transaction (pg_current_xact_id is the top-level transaction's), none
# while the firm is being erased (its log goes with it); written_at is the moment of the write,
# not the start of its transaction (the nightly trim relies on it).
NOTE_WRITE = """
CREATE OR REPLACE FUNCTION portfolio_note_write() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO portfolio_portfoliowrite (firm_id, xact, written_at)
    SELECT written.firm_id, pg_current_xact_id()::text::bigint, clock_timestamp()
    FROM (
        SELECT DISTINCT changed.firm_id FROM changed
        WHERE changed.firm_id IS DISTINCT FROM
            NULLIF(current_setting('app.erasing_firm', true), '')::bigint
    ) AS written
    ON CONFLICT (firm_id, xact) DO NOTHING;
    RETURN NULL;
END
$$
"""


def install_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(NOTE_WRITE)
    for table in WATCHED_TABLES:
        for name, event, rows in EVENTS:
            schema_editor.execute(
                f"CREATE TRIGGER portfolio_write_{name} AFTER {event} ON {table} "
                f"REFERENCING {rows} TABLE AS changed "
                "FOR EACH STATEMENT EXECUTE FUNCTION portfolio_note_write()"
            )


def remove_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in WATCHED_TABLES:
        for name, _event, _rows in EVENTS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS portfolio_write_{name} ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS portfolio_note_write()")


class Migration(migrations.Migration):

    dependencies = [
        ("clients", "0009_client_signer"),
        ("firms", "0003_merge_seller_mentions_two_factor"),
        ("fiscal_questionnaire", "0001_initial"),
        ("portfolio", "0001_initial"),
        ("scoring", "0005_portfoliofacts_mandate_status"),
        ("self_service", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name='PortfolioWrite',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('xact', models.BigIntegerField(editable=False)),
                ('written_at', models.DateTimeField(db_default=django.db.models.functions.datetime.Now(), editable=False)),
                ('firm', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='firms.firm')),
            ],
            options={
                'indexes': [models.Index(fields=['firm', 'id'], name='portfolio_write_firm_id')],
                'constraints': [models.UniqueConstraint(fields=('firm', 'xact'), name='portfolio_write_one_per_xact')],
            },
        ),
        migrations.RunPython(install_triggers, remove_triggers),
    ]
