"""The facts of the scores stored before PortfolioFacts existed (a separate migration from the
table's, whose foreign keys are created once the table is complete)."""

from django.db import migrations

OBLIGATION = "(SELECT o.{column} FROM fiscal_questionnaire_obligations o WHERE o.client_id = s.client_id)"
STAGE = """COALESCE((SELECT CASE p.status WHEN 'considered' THEN 1 WHEN 'chosen' THEN 2
    WHEN 'contract_signed' THEN 3 WHEN 'connected' THEN 4 WHEN 'tested' THEN 5 ELSE 0 END
    FROM cartography_clientplatform p WHERE p.client_id = s.client_id AND p.role = '{role}'), 0)"""
E_REPORTING_FROM = """(SELECT CASE WHEN o.e_reporting_transactions_from IS NULL
        THEN o.e_reporting_payments_from
    WHEN o.e_reporting_payments_from IS NULL OR o.e_reporting_transactions_from
        < o.e_reporting_payments_from THEN o.e_reporting_transactions_from
    ELSE o.e_reporting_payments_from END
    FROM fiscal_questionnaire_obligations o WHERE o.client_id = s.client_id)"""
READINESS = """(SELECT MIN(CASE pr.reform_ready WHEN 'yes' THEN 2 WHEN 'no' THEN 0 ELSE 1 END)
    FROM cartography_clientsoftware cs
    LEFT JOIN cartography_softwareproduct pr ON pr.id = cs.product_id
    WHERE cs.client_id = s.client_id)"""
# The same facts as scoring.portfolio_facts.portfolio_facts, in SQL that PostgreSQL and SQLite both read.
BACKFILL = f"""
INSERT INTO scoring_portfoliofacts (
    firm_id, client_id, level, total, compliance, size_category, in_scope,
    obligations_complete, must_receive, receive_from, must_issue, issue_from, e_reporting,
    e_reporting_from, reception_stage, issuing_stage, software_readiness
)
SELECT s.firm_id, s.client_id, s.level, s.total, s.compliance,
    COALESCE({OBLIGATION.format(column="size_category")}, ''),
    {OBLIGATION.format(column="in_scope")},
    COALESCE({OBLIGATION.format(column="complete")}, FALSE),
    {OBLIGATION.format(column="must_receive")},
    {OBLIGATION.format(column="receive_from")},
    {OBLIGATION.format(column="must_issue")},
    {OBLIGATION.format(column="issue_from")},
    {OBLIGATION.format(column="e_reporting_transactions OR o.e_reporting_payments")},
    {E_REPORTING_FROM},
    {STAGE.format(role="reception")},
    {STAGE.format(role="issuing")},
    {READINESS}
FROM scoring_clientscore s
"""


def fill_facts(apps, schema_editor):
    """Row-level security shows the tables firm by firm on PostgreSQL: one INSERT per firm."""
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(BACKFILL)
            return
        for firm_id in apps.get_model("firms", "Firm").objects.values_list("pk", flat=True):
            cursor.execute("SELECT set_config('app.current_firm', %s, true)", [str(firm_id)])
            cursor.execute(BACKFILL + " WHERE s.firm_id = %s", [firm_id])
        cursor.execute("SELECT set_config('app.current_firm', '', true)")


class Migration(migrations.Migration):

    dependencies = [
        ("scoring", "0002_portfolio_facts"),
        ("cartography", "0003_portfoliosnapshot"),
        ("fiscal_questionnaire", "0001_initial"),
        ("firms", "0001_initial"),
    ]

    operations = [migrations.RunPython(fill_facts, migrations.RunPython.noop)]
