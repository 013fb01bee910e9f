"""A stored version stays immutable, except that it goes with its firm when an operator erases
the firm completely (privacy.erasure announces the firm in ``app.erasing_firm`` for its own
transaction only)."""

from django.db import migrations

IMMUTABLE_FUNCTION = """
CREATE OR REPLACE FUNCTION reports_synthesisreport_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND current_setting('app.erasing_firm', true) = OLD.firm_id::text THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'synthesis report % is immutable: % refused', OLD.id, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$
"""
PREVIOUS_FUNCTION = """
CREATE OR REPLACE FUNCTION reports_synthesisreport_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'synthesis report % is immutable: % refused', OLD.id, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$
"""


def allow_erasure(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(IMMUTABLE_FUNCTION, params=None)


def forbid_erasure(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PREVIOUS_FUNCTION, params=None)


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]

    operations = [migrations.RunPython(allow_erasure, forbid_erasure)]
