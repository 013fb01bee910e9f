"""Stored scores: computed from the stored obligations and cartography, upserted per client,
rescored in the background when the grid changes."""

from __future__ import annotations

import io
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from clients.copy_writes import COPY_FROM_ROWS
from clients.services import create_clients
from firms.tenancy import firm_scope
from jobs.models import Job
from scoring import services
from scoring.engine import grid_to_dict, load_default_grid
from scoring.inputs import new_client_input, scoring_inputs
from scoring.models import ClientScore, PortfolioFacts, ScoringGrid
from tests import factories


def _scores(firm) -> dict[int, ClientScore]:
    with firm_scope(firm):
        return {score.client_id: score for score in ClientScore.objects.for_firm(firm)}


def test_a_client_with_nothing_recorded_is_scored_with_the_default_grid(firm_a):
    client = factories.make_client(firm_a.firm)
    with firm_scope(firm_a.firm):
        score = services.score_clients(firm=firm_a.firm, client_ids=[client.pk])[0]
    # Nothing known counts at its worst: every profile question unanswered (+23), no invoicing
    # tool (+4), duties undecided so both PAs count (+16), questionnaire never answered (+6),
    # size undecided (+3), no signed mandate (+3).
    criteria = {line["criterion"] for line in score.breakdown}
    assert {"questionnaire_incomplete", "reception_platform", "issuing_platform"} <= criteria
    assert (score.total, score.level) == (55, "high")
    assert score.total == sum(line["points"] for line in score.breakdown)
    assert score.grid_version == 0
    assert _scores(firm_a.firm)[client.pk].total == score.total


def test_rescoring_updates_the_stored_row_in_place(firm_a):
    client = factories.make_client(firm_a.firm)
    with firm_scope(firm_a.firm):
        services.score_clients(firm=firm_a.firm, client_ids=[client.pk])[0]
        services.score_clients(firm=firm_a.firm, client_ids=[client.pk])[0]
        assert ClientScore.objects.for_firm(firm_a.firm).count() == 1


@pytest.mark.parametrize(
    "few, many",
    # Below clients.copy_writes.COPY_FROM_ROWS the rows go by bulk_create, from it by COPY.
    [(1, COPY_FROM_ROWS - 1), (COPY_FROM_ROWS, 3 * COPY_FROM_ROWS)],
)
def test_scoring_many_clients_costs_a_fixed_number_of_queries(firm_a, few, many):
    few = [factories.make_client(firm_a.firm).pk for _ in range(few)]
    many = [factories.make_client(firm_a.firm).pk for _ in range(many)]
    with firm_scope(firm_a.firm):
        with CaptureQueriesContext(connection) as small:
            services.score_clients(firm=firm_a.firm, client_ids=few)
        with CaptureQueriesContext(connection) as large:
            services.score_clients(firm=firm_a.firm, client_ids=many)
    assert len(small) == len(large)


def _stored_rows(firm, client_ids) -> list[tuple]:
    """Each client's stored score and facts, as plain values (the time of scoring left out)."""
    with firm_scope(firm):
        scores = {
            row[0]: row
            for row in ClientScore.objects.for_firm(firm)
            .filter(client_id__in=client_ids)
            .values_list("client_id", *(f for f in services.SCORE_FIELDS if f != "computed_at"))
        }
        facts = {
            row[0]: row
            for row in PortfolioFacts.objects.for_firm(firm)
            .filter(client_id__in=client_ids)
            .values_list("client_id", *services.PORTFOLIO_FACTS_FIELDS)
        }
    return [(scores.get(client_id), facts.get(client_id)) for client_id in client_ids]


@pytest.mark.parametrize("count", [1, 3 * COPY_FROM_ROWS])
@pytest.mark.parametrize("edited_grid", [False, True])
def test_new_clients_get_the_score_their_inputs_give_without_reading_them(
    firm_a, count, edited_grid
):
    firm = firm_a.firm
    if edited_grid:
        data = grid_to_dict(load_default_grid())
        data["thresholds"]["high_from"] = 60  # the new clients' 55 points become "medium"
        with firm_scope(firm):
            ScoringGrid.objects.create(firm=firm, version=1, data=data)
    rows = [
        {"company_name": f"Nouvelle {n}", "siren": factories.valid_siren(700_000 + n)}
        for n in range(count)
    ]
    with firm_scope(firm), CaptureQueriesContext(connection) as created:
        clients = create_clients(firm=firm, rows=rows, by=firm_a.admin.user)
    ids = [client.pk for client in clients]
    # Nothing is read of their obligations, cartography or mandates: there is none yet.
    tables = ("fiscal_questionnaire_", "cartography_", "mandates_")
    assert not [q["sql"] for q in created if any(table in q["sql"] for table in tables)]
    first = _stored_rows(firm, ids)
    assert first[0][0][2] == ("medium" if edited_grid else "high")
    assert all(score and facts for score, facts in first)
    assert {row[0][-1] for row in first} == {int(edited_grid)}  # grid_version
    with firm_scope(firm):
        today = timezone.localdate()
        assert scoring_inputs(firm.pk, ids, today=today) == dict.fromkeys(
            ids, new_client_input(today)
        )
        services.score_clients(firm=firm, client_ids=ids)  # reading every input
    assert _stored_rows(firm, ids) == first


def test_saving_an_invalid_grid_names_the_criterion(firm_a):
    data = grid_to_dict(load_default_grid())
    data["criteria"]["invoice_tool"]["points"]["paper"] = -3
    from scoring.engine import InvalidGrid

    with firm_scope(firm_a.firm), pytest.raises(InvalidGrid) as error:
        services.save_grid(firm=firm_a.firm, data=data, by=firm_a.admin.user)
    assert error.value.criterion == "invoice_tool"
    with firm_scope(firm_a.firm):
        assert not ScoringGrid.objects.for_firm(firm_a.firm).exists()


@pytest.mark.worker
def test_a_new_grid_rescores_the_portfolio_in_the_worker(celery_worker, firm_a):
    clients = [factories.make_client(firm_a.firm) for _ in range(5)]
    data = grid_to_dict(load_default_grid())
    data["thresholds"]["high_from"] = 60  # every blank client (55 points) becomes medium
    with firm_scope(firm_a.firm):
        saved, job = services.save_grid(firm=firm_a.firm, data=data, by=firm_a.admin.user)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with firm_scope(firm_a.firm):
            job.refresh_from_db()
        if job.is_finished:
            break
        time.sleep(0.1)
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.summary == {"clients": 5} and (job.progress, job.total) == (5, 5)
    scores = _scores(firm_a.firm)
    assert {scores[client.pk].level for client in clients} == {"medium"}
    assert {scores[client.pk].grid_version for client in clients} == {saved.version}


def test_the_cartography_and_the_engine_share_the_software_categories():
    from cartography.models import SoftwareCategory
    from scoring.engine import SOFTWARE_CATEGORIES

    assert set(SoftwareCategory.values) == set(SOFTWARE_CATEGORIES)


def test_the_score_is_readable_through_the_api(client, firm_a):
    from firms.services import create_api_token

    scored = factories.make_client(firm_a.firm, assigned_to=firm_a.collaborator.user)
    with firm_scope(firm_a.firm):
        services.score_clients(firm=firm_a.firm, client_ids=[scored.pk])[0]
        _, token = create_api_token(membership=firm_a.collaborator, name="outil")
    response = client.get(
        f"/api/v1/clients/{scored.pk}/score/", HTTP_AUTHORIZATION=f"Token {token}"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["total"] == sum(line["points"] for line in body["breakdown"])
    assert body["level"] in ("low", "medium", "high")
    assert (
        client.post(
            f"/api/v1/clients/{scored.pk}/score/", HTTP_AUTHORIZATION=f"Token {token}"
        ).status_code
        == 405
    )


def test_the_rescore_command_scores_every_client_with_the_grid_in_force(firm_a, firm_b):
    scored = factories.make_client(firm_a.firm)
    other = factories.make_client(firm_b.firm)
    out = io.StringIO()
    call_command("rescore_portfolio", "--firm", firm_a.firm.slug, stdout=out)
    assert "Cabinet Alpha : 1 client recalculé." in out.getvalue()
    assert _scores(firm_a.firm)[scored.pk].total == 55
    assert other.pk not in _scores(firm_b.firm)
    call_command("rescore_portfolio", stdout=io.StringIO())
    assert _scores(firm_b.firm)[other.pk].total == 55
    with pytest.raises(CommandError, match="Aucun cabinet « inconnu »"):
        call_command("rescore_portfolio", "--firm", "inconnu")
