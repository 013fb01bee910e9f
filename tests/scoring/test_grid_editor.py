"""The grid editor: every cell labelled, preview without saving, save as a new version."""

from __future__ import annotations

from firms.tenancy import firm_scope
from scoring.editor import editor_rows, grid_from_cells, threshold_cells
from scoring.engine import grid_from_dict, grid_to_dict, load_default_grid
from scoring.models import ScoringGrid
from tests import factories

DEFAULT = grid_to_dict(load_default_grid())


def _cells() -> dict[str, object]:
    cells = {cell.path: cell.value for row in editor_rows(DEFAULT) for cell in row.cells}
    cells.update({cell.path: cell.value for cell in threshold_cells(DEFAULT)})
    return cells


def test_cells_round_trip_to_the_same_grid():
    posted = {path: "" if value is None else str(value) for path, value in _cells().items()}
    assert grid_from_cells(DEFAULT, posted) == DEFAULT


def test_every_number_of_the_grid_is_a_labelled_cell():
    cells = _cells()
    assert cells["criteria.invoice_tool.points.paper"] == 8
    assert cells["criteria.invoices_issued_per_month.bands.0.more_than"] == 100
    assert cells["thresholds.medium_from"] == 10
    assert all(cell.label for row in editor_rows(DEFAULT) for cell in row.cells)


def test_a_posted_cell_changes_the_grid_and_french_spacing_is_accepted():
    posted = {"criteria.invoice_tool.points.unanswered": "1 2"}
    grid = grid_from_dict(grid_from_cells(DEFAULT, posted))
    assert grid_to_dict(grid)["criteria"]["invoice_tool"]["points"]["unanswered"] == 12


def _post(client, firm_a, **cells):
    return client.post(f"/f/{firm_a.firm.slug}/parametres/score/", {**cells})


def test_preview_shows_the_spread_and_saves_nothing(client, firm_a):
    factories.make_client(firm_a.firm)
    client.force_login(firm_a.admin.user)
    # A blank client scores 52 (high) with the default grid; from 60 points, it is medium.
    response = client.post(
        f"/f/{firm_a.firm.slug}/parametres/score/",
        {"action": "preview", "thresholds.high_from": "60"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert response.context["spread"] == {"low": 0, "medium": 1, "high": 0}
    with firm_scope(firm_a.firm):
        assert not ScoringGrid.objects.for_firm(firm_a.firm).exists()


def test_a_wrong_cell_is_explained(client, firm_a):
    client.force_login(firm_a.admin.user)
    response = client.post(
        f"/f/{firm_a.firm.slug}/parametres/score/",
        {"action": "preview", "thresholds.medium_from": "30", "thresholds.high_from": "20"},
    )
    assert response.status_code == 400
    assert "doit être supérieur au seuil d&#x27;urgence moyenne (30)" in response.content.decode()


def test_saving_creates_a_version_and_starts_the_rescoring(
    client, firm_a, django_capture_on_commit_callbacks
):
    client.force_login(firm_a.admin.user)
    response = client.post(
        f"/f/{firm_a.firm.slug}/parametres/score/",
        {
            "action": "save",
            "criteria.invoice_tool.points.paper": "9",
            "criteria.invoice_tool.points.unanswered": "9",
        },
    )
    assert response.status_code == 302 and "/travaux/" in response["Location"]
    with firm_scope(firm_a.firm):
        saved = ScoringGrid.objects.for_firm(firm_a.firm).get()
    assert saved.version == 1 and saved.data["criteria"]["invoice_tool"]["points"]["paper"] == 9


def test_only_administrators_edit_the_grid(client, firm_a):
    client.force_login(firm_a.supervisor.user)
    assert client.get(f"/f/{firm_a.firm.slug}/parametres/score/").status_code == 403


def test_a_grid_scoring_an_answer_above_unanswered_is_refused(client, firm_a):
    client.force_login(firm_a.admin.user)
    response = client.post(
        f"/f/{firm_a.firm.slug}/parametres/score/",
        {"action": "save", "criteria.invoice_tool.points.paper": "9"},
    )
    assert response.status_code == 400
    assert "« Non renseigné » vaut 8 points, moins que « Factures papier » (9 points)" in (
        response.content.decode()
    )
    with firm_scope(firm_a.firm):
        assert not ScoringGrid.objects.for_firm(firm_a.firm).exists()
