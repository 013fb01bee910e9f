"""The grid editor: every cell labelled, preview without saving, save as a new version, and a
refused grid shown again as typed, its faulty cells marked and explained in French."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from firms.tenancy import firm_scope
from fiscal_questionnaire.services import save_answers
from scoring import services
from scoring.editor import editor_rows, grid_from_cells, threshold_cells
from scoring.engine import InvalidGrid, grid_from_dict, grid_to_dict, load_default_grid
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


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("2,5", "« Factures papier » doit être un nombre entier (saisi : « 2,5 »)"),
        ("", "indiquez un nombre pour « Factures papier »"),
    ],
)
def test_a_cell_that_is_not_a_whole_number_is_refused_by_its_label(raw, message):
    with pytest.raises(InvalidGrid) as refused:
        grid_from_cells(DEFAULT, {"criteria.invoice_tool.points.paper": raw})
    assert str(refused.value) == f"Critère « Production des factures » : {message}"
    assert refused.value.paths == ("criteria.invoice_tool.points.paper",)


URL = "/f/{}/parametres/score/"


def _post(client, firm, cells, **headers):
    return client.post(URL.format(firm.slug), cells, **headers)


def _scored_client(firm, **fields):
    made = factories.make_client(firm, **fields)
    with firm_scope(firm):
        services.score_clients(firm=firm, client_ids=[made.pk])
    return made


def _out_of_scope_client(firm, **fields):
    """A client known not to be liable to VAT: 0 points, low urgency whatever the grid."""
    made = factories.make_client(firm, **fields)
    with firm_scope(firm):
        save_answers(firm=firm, client=made, values={"vat_liable": False}, by=None)
    return made


# Every blank client scores 52 (high) with the default grid; these thresholds make it medium.
HIGH_FROM_60 = {"action": "preview", "thresholds.high_from": "60"}


def test_preview_shows_the_spread_and_saves_nothing(client, firm_a):
    _scored_client(firm_a.firm)
    client.force_login(firm_a.admin.user)
    response = _post(client, firm_a.firm, HIGH_FROM_60, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.context["spread"] == {"low": 0, "medium": 1, "high": 0}
    with firm_scope(firm_a.firm):
        assert not ScoringGrid.objects.for_firm(firm_a.firm).exists()


def test_preview_lists_the_clients_that_change_level(client, firm_a):
    moving = _scored_client(firm_a.firm, company_name="Boulangerie Petit")
    _out_of_scope_client(firm_a.firm, company_name="Association des Amis")
    never_scored = factories.make_client(firm_a.firm, company_name="Atelier Neuf")
    client.force_login(firm_a.admin.user)
    response = _post(client, firm_a.firm, HIGH_FROM_60, HTTP_HX_REQUEST="true")
    preview = response.context["preview"]
    assert [(change.name, change.before, change.after) for change in preview.changes] == [
        ("Atelier Neuf", None, "medium"),
        ("Boulangerie Petit", "high", "medium"),
    ]
    assert (preview.changed, preview.more) == (2, 0)
    html = response.content.decode()
    assert f"/clients/{moving.pk}/" in html and f"/clients/{never_scored.pk}/" in html
    assert "Boulangerie Petit</a> :" in html
    assert re.search(
        r"urgency--high\">Élevée</span> →\s*<span class=\"urgency urgency--medium", html
    )
    assert "Sans score" in html and "Association des Amis" not in html


def test_preview_says_when_no_client_changes_level(client, firm_a):
    _scored_client(firm_a.firm)
    client.force_login(firm_a.admin.user)
    response = _post(client, firm_a.firm, {"action": "preview"}, HTTP_HX_REQUEST="true")
    assert response.context["preview"].changes == ()
    assert "Aucun client ne change de niveau" in response.content.decode()


def test_preview_names_a_bounded_number_of_clients_and_counts_the_rest(client, firm_a, monkeypatch):
    monkeypatch.setattr(services, "PREVIEW_CHANGES", 2)
    for name in ("Delta", "Alpha", "Echo", "Charlie", "Bravo"):
        _scored_client(firm_a.firm, company_name=name)
    client.force_login(firm_a.admin.user)
    response = _post(client, firm_a.firm, HIGH_FROM_60, HTTP_HX_REQUEST="true")
    preview = response.context["preview"]
    assert [change.name for change in preview.changes] == ["Alpha", "Bravo"]
    assert (preview.changed, preview.more) == (5, 3)
    assert "… et 3 autres." in response.content.decode()


def test_the_preview_costs_the_same_queries_for_few_or_many_clients(client, firm_a, firm_b):
    for firm, count in ((firm_a.firm, 2), (firm_b.firm, 12)):
        for _ in range(count):
            _scored_client(firm)
        _out_of_scope_client(firm)
    counts = []
    for firm, member in ((firm_a.firm, firm_a.admin), (firm_b.firm, firm_b.admin)):
        client.force_login(member.user)
        with CaptureQueriesContext(connection) as queries:
            response = _post(client, firm, HIGH_FROM_60, HTTP_HX_REQUEST="true")
        assert response.context["preview"].changed > 0
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_a_refused_save_keeps_what_was_typed_and_marks_the_faulty_cells(client, firm_a):
    client.force_login(firm_a.admin.user)
    response = _post(
        client,
        firm_a.firm,
        {
            "action": "save",
            "criteria.invoice_tool.points.paper": "9",  # above "Non renseigné" (8)
            "criteria.mandate_not_signed.points": "5",
            "thresholds.high_from": "35",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    message = (
        "Critère « Production des factures » : « Non renseigné » vaut 8 points, moins que "
        "« Factures papier » (9 points)."
    )
    assert message.replace("'", "&#x27;") in html
    assert "(invoice_tool)" not in html and "(paper)" not in html
    # What was typed comes back, not the stored grid.
    assert _input(html, "criteria.invoice_tool.points.paper").count('value="9"') == 1
    assert 'value="5"' in _input(html, "criteria.mandate_not_signed.points")
    assert 'value="35"' in _input(html, "thresholds.high_from")
    # The two cells at fault are marked, and only them; the first one has the focus.
    faulty = _input(html, "criteria.invoice_tool.points.unanswered")
    assert 'aria-invalid="true"' in faulty and 'aria-describedby="grid-error"' in faulty
    assert "autofocus" in _input(html, "criteria.invoice_tool.points.paper")
    assert html.count('aria-invalid="true"') == 2
    assert html.count('class="row--error"') == 2
    assert 'role="alert" id="grid-error"' in html
    with firm_scope(firm_a.firm):
        assert not ScoringGrid.objects.for_firm(firm_a.firm).exists()


def _input(html: str, name: str) -> str:
    """The whole <tr> (or field) holding the input named ``name``."""
    match = re.search(
        rf'<(tr|div class="field)[^>]*>(?:(?!</tr>|</div>).)*name="{re.escape(name)}"[^>]*>',
        html,
        re.S,
    )
    assert match, name
    return match.group(0)


def test_a_wrong_cell_is_explained(client, firm_a):
    client.force_login(firm_a.admin.user)
    response = _post(
        client,
        firm_a.firm,
        {"action": "preview", "thresholds.medium_from": "30", "thresholds.high_from": "20"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "doit être supérieur au seuil d&#x27;urgence moyenne (30)" in html
    assert 'aria-invalid="true"' in _input(html, "thresholds.medium_from")
    assert "field--error" in _input(html, "thresholds.high_from")


def test_text_in_a_cell_is_kept_and_explained(client, firm_a):
    client.force_login(firm_a.admin.user)
    response = _post(
        client, firm_a.firm, {"action": "save", "criteria.size_undecided.points": "trois"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "« Points » doit être un nombre entier (saisi : « trois »)" in html
    faulty = _input(html, "criteria.size_undecided.points")
    assert 'value="trois"' in faulty and 'class="row--error"' in faulty


def test_a_shape_error_marks_every_cell_of_its_criterion(client, firm_a):
    client.force_login(firm_a.admin.user)
    response = _post(
        client,
        firm_a.firm,
        {
            "action": "preview",
            "criteria.paper_share_received.bands.0.more_than": "5",  # now below band 2's 10
        },
    )
    html = response.content.decode()
    assert "la tranche 2 doit commencer sous la tranche 1" in html
    marked = re.findall(r'aria-invalid="true"', html)
    assert len(marked) == 2
    assert 'aria-invalid="true"' in _input(html, "criteria.paper_share_received.bands.1.at_least")


def test_a_refused_live_preview_names_the_cells_to_mark(client, firm_a):
    client.force_login(firm_a.admin.user)
    response = _post(
        client,
        firm_a.firm,
        {"action": "preview", "criteria.digital_maturity.points.unanswered": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="grid-error"' in html and "Maturité numérique" in html
    assert (
        'data-invalid-cells="criteria.digital_maturity.points.low '
        'criteria.digital_maturity.points.unanswered"'
    ) in html


def test_the_editor_states_that_unknowns_count_at_their_worst(client, firm_a):
    client.force_login(firm_a.admin.user)
    html = client.get(URL.format(firm_a.firm.slug)).content.decode()
    assert "Ce qui n'est pas encore connu compte comme la pire réponse possible" in html
    assert "ne peut donc que confirmer ou faire baisser l'urgence" in html


def test_saving_creates_a_version_and_starts_the_rescoring(
    client, firm_a, django_capture_on_commit_callbacks
):
    client.force_login(firm_a.admin.user)
    response = client.post(
        URL.format(firm_a.firm.slug),
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
