"""Stored grids made before the rule "what is not known yet counts at least as much as any answer"
(scoring/engine/score.py) get a new version that follows it, so ``grid_from_dict`` accepts the
grid in force; older versions stay as they were saved. The scores are stale until
``python manage.py rescore_portfolio`` runs.

The rule is written out here rather than imported, so this migration keeps doing what it did
whatever the engine becomes.
"""

import copy

from django.db import migrations

UNANSWERED = "unanswered"
NO_PLATFORM = "none"
PROFILE_CHOICES = ("invoice_tool", "purchase_entry", "digital_maturity")
PROFILE_NUMBERS = ("invoices_issued_per_month", "paper_share_received")


def unknowns_at_their_worst(data: dict) -> dict:
    """The grid with each "not known yet" raised to the points of its worst answer."""
    grid = copy.deepcopy(data)
    criteria = grid.get("criteria", {})
    for code in PROFILE_CHOICES:
        points = criteria.get(code, {}).get("points")
        if points and UNANSWERED in points:
            points[UNANSWERED] = max(points.values())
    for code in PROFILE_NUMBERS:
        criterion = criteria.get(code, {})
        if UNANSWERED in criterion:
            bands = [band["points"] for band in criterion.get("bands", [])]
            criterion[UNANSWERED] = max([criterion[UNANSWERED], *bands])
    reception = criteria.get("reception_platform", {}).get("points")
    if reception and NO_PLATFORM in reception:
        reception[NO_PLATFORM] = max(reception.values())
    issuing = criteria.get("issuing_platform", {})
    due_soon, due_later = issuing.get("due_soon", {}), issuing.get("due_later", {})
    for status, points in due_later.items():  # an undecided start counts as due soon
        if status in due_soon:
            due_soon[status] = max(due_soon[status], points)
    for column in (due_soon, due_later):
        if NO_PLATFORM in column:
            column[NO_PLATFORM] = max(column.values())
    return grid


def add_conforming_versions(apps, schema_editor):
    """Row-level security shows the grids firm by firm on PostgreSQL."""
    connection = schema_editor.connection
    firm_model = apps.get_model("firms", "Firm")
    grid_model = apps.get_model("scoring", "ScoringGrid")
    with connection.cursor() as cursor:
        for firm_id in firm_model.objects.values_list("pk", flat=True):
            if connection.vendor == "postgresql":
                cursor.execute("SELECT set_config('app.current_firm', %s, true)", [str(firm_id)])
            latest = grid_model.objects.filter(firm_id=firm_id).order_by("-version").first()
            if latest is None:
                continue  # the default grid, which follows the rule
            data = unknowns_at_their_worst(latest.data)
            if data != latest.data:
                grid_model.objects.create(
                    firm_id=firm_id, version=latest.version + 1, data=data, created_by=None
                )
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('app.current_firm', '', true)")


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0003_fill_portfolio_facts"),
        ("firms", "0001_initial"),
    ]

    operations = [migrations.RunPython(add_conforming_versions, migrations.RunPython.noop)]
