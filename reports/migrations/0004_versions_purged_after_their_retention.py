"""A stored version stays immutable, with two narrow exceptions for DELETE only: it goes with
its firm when an operator erases the firm (``app.erasing_firm``, migration 0002), and the
nightly purge of kept data (privacy.purge) deletes a version whose retention has ended: the
transaction names the firm in ``app.purging_report_versions`` and the version must have been
generated more than five years ago (privacy.retention.REPORT_YEARS). UPDATE is always refused."""

from django.db import migrations

IMMUTABLE_FUNCTION = """
CREATE OR REPLACE FUNCTION reports_synthesisreport_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE'
       AND current_setting('app.erasing_firm', true) = OLD.firm_id::text THEN
        RETURN OLD;
    END IF;
    IF TG_OP = 'DELETE'
       AND current_setting('app.purging_report_versions', true) = OLD.firm_id::text
       AND OLD.created_at < now() - interval '5 years' THEN
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
    IF TG_OP = 'DELETE'
       AND current_setting('app.erasing_firm', true) = OLD.firm_id::text THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'synthesis report % is immutable: % refused', OLD.id, TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$
"""


def allow_purge(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(IMMUTABLE_FUNCTION, params=None)


def forbid_purge(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PREVIOUS_FUNCTION, params=None)


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_files_in_a_folder_per_firm")]

    operations = [migrations.RunPython(allow_purge, forbid_purge)]
