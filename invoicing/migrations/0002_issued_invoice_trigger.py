"""On PostgreSQL, an issued invoice's content cannot be updated, whatever the code path (a raw
UPDATE included): a trigger refuses any change of the frozen columns once the row is issued."""

from django.db import migrations

FROZEN_COLUMNS = (
    "client_id",
    "kind",
    "status",
    "number",
    "issue_date",
    "due_date",
    "total_excl_vat",
    "total_vat",
    "total_incl_vat",
    "document",
    "pdf",
    "pdf_sha256",
    "credited_invoice_id",
)

CREATE = """
CREATE OR REPLACE FUNCTION invoicing_refuse_issued_change() RETURNS trigger AS $$
BEGIN
    IF OLD.status = 'issued' AND ({changed}) THEN
        RAISE EXCEPTION 'invoice % is issued: its content cannot change', OLD.number
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS invoicing_issued_is_frozen ON invoicing_invoice;
CREATE TRIGGER invoicing_issued_is_frozen BEFORE UPDATE ON invoicing_invoice
    FOR EACH ROW EXECUTE FUNCTION invoicing_refuse_issued_change();
""".format(
    changed=" OR ".join(
        f"NEW.{column} IS DISTINCT FROM OLD.{column}" for column in FROZEN_COLUMNS
    )
)

DROP = """
DROP TRIGGER IF EXISTS invoicing_issued_is_frozen ON invoicing_invoice;
DROP FUNCTION IF EXISTS invoicing_refuse_issued_change();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
