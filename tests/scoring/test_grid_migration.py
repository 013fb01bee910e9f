"""The migration that brings stored grids under the rule "what is not known counts at least as
much as any answer" (scoring/migrations/0004_unknowns_score_their_worst_case.py)."""

from __future__ import annotations

import copy
import importlib
from types import SimpleNamespace

from django.apps import apps
from django.db import connection
from hypothesis import given, settings

from firms.tenancy import firm_scope
from scoring.default_grid import DEFAULT_GRID
from scoring.engine import grid_from_dict
from scoring.models import ScoringGrid
from tests.scoring.test_engine_properties import any_grid_dicts

migration = importlib.import_module("scoring.migrations.0004_unknowns_score_their_worst_case")


def _before_the_rule() -> dict:
    """A grid as stored before the rule: unanswered at 0, a status scoring more later than soon."""
    data = copy.deepcopy(DEFAULT_GRID)
    criteria = data["criteria"]
    for code in ("invoice_tool", "purchase_entry", "digital_maturity"):
        criteria[code]["points"]["unanswered"] = 0
    for code in ("invoices_issued_per_month", "paper_share_received"):
        criteria[code]["unanswered"] = 0
    criteria["issuing_platform"]["due_later"]["chosen"] = 10
    return data


def test_each_unknown_is_raised_to_its_worst_answer():
    fixed = migration.unknowns_at_their_worst(_before_the_rule())
    criteria = fixed["criteria"]
    assert criteria["invoice_tool"]["points"]["unanswered"] == 8
    assert criteria["purchase_entry"]["points"]["unanswered"] == 2
    assert criteria["digital_maturity"]["points"]["unanswered"] == 5
    assert criteria["invoices_issued_per_month"]["unanswered"] == 4
    assert criteria["paper_share_received"]["unanswered"] == 4
    assert criteria["issuing_platform"]["due_soon"]["chosen"] == 10
    assert criteria["issuing_platform"]["due_soon"]["none"] == 10
    assert criteria["issuing_platform"]["due_later"]["none"] == 10
    grid_from_dict(fixed)


def test_a_grid_that_follows_the_rule_is_left_as_it_is():
    assert migration.unknowns_at_their_worst(DEFAULT_GRID) == DEFAULT_GRID


@settings(deadline=None)
@given(any_grid_dicts)
def test_whatever_was_stored_the_migrated_grid_is_accepted(data):
    grid_from_dict(migration.unknowns_at_their_worst(data))


def test_firms_whose_grid_breaks_the_rule_get_a_new_version(firm_a, firm_b):
    with firm_scope(firm_a.firm):
        ScoringGrid.objects.create(
            firm=firm_a.firm, version=1, data=_before_the_rule(), created_by=firm_a.admin.user
        )
    with firm_scope(firm_b.firm):
        ScoringGrid.objects.create(
            firm=firm_b.firm, version=1, data=DEFAULT_GRID, created_by=firm_b.admin.user
        )
    migration.add_conforming_versions(apps, SimpleNamespace(connection=connection))
    with firm_scope(firm_a.firm):
        versions = list(ScoringGrid.objects.for_firm(firm_a.firm).order_by("version"))
    assert [grid.version for grid in versions] == [1, 2]
    assert versions[0].data == _before_the_rule()  # history is kept as it was saved
    assert versions[1].created_by is None
    assert versions[1].data == migration.unknowns_at_their_worst(_before_the_rule())
    with firm_scope(firm_b.firm):
        assert ScoringGrid.objects.for_firm(firm_b.firm).count() == 1
