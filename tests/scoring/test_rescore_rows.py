"""A full rescoring stores, for every client of a varied firm (the demo's answers, obligations,
profiles, software, platforms and mandates), exactly what the engine's plain functions give:
``result_to_dict``'s total, level, compliance, breakdown and checkpoints, and
``portfolio_facts``. The same by every path: batches written beside (a second connection),
one after the other inside a transaction, and by ``bulk_create`` (SQLite's)."""

from __future__ import annotations

import gc
import json

import pytest
from django.db import connection, transaction
from django.utils import timezone

from bench import build
from clients import copy_writes
from clients.models import Client
from firms.tenancy import firm_scope
from scoring import services
from scoring.engine import (
    BreakdownLine,
    ScoringInput,
    SoftwareItem,
    breakdown_to_list,
    checkpoints_to_list,
    load_default_grid,
    result_to_dict,
    score_client,
)
from scoring.inputs import mandate_statuses, scoring_inputs
from scoring.models import ClientScore, PortfolioFacts
from scoring.portfolio_facts import FACT_FIELDS, portfolio_facts

pytestmark = pytest.mark.django_db(transaction=True)

CLIENTS = 120


@pytest.fixture
def varied(monkeypatch):
    """120 demo clients: 4 made by seed_demo (mandates among them), the others built."""
    monkeypatch.setattr(build, "SEEDED_CLIENTS", 4)
    monkeypatch.setattr(build, "CHUNK", 50)
    firm = build.build_firm(clients=CLIENTS, firm_name="Banc Rescoring", seed=11, steps={})
    monkeypatch.setattr(services, "BATCH", 25)  # five batches, the last one short
    return firm


def _expected(firm) -> dict[int, tuple]:
    """What the engine's plain functions give each client, JSON as Python values."""
    with firm_scope(firm):
        _, grid = services.current_grid(firm.pk)
        ids = list(Client.objects.for_firm(firm).values_list("id", flat=True))
        mandates = mandate_statuses(firm.pk, ids)
        inputs = scoring_inputs(firm.pk, ids, today=timezone.localdate(), mandates=mandates)
    expected = {}
    for client_id, data in inputs.items():
        result = result_to_dict(score_client(data, grid))
        facts = portfolio_facts(data, mandate_status=mandates.get(client_id, ""))
        expected[client_id] = (
            result["total"],
            result["level"],
            result["compliance"],
            result["breakdown"],
            result["checkpoints"],
            (result["level"], result["total"], result["compliance"], *map(facts.get, FACT_FIELDS)),
        )
    return expected


def _stored(firm) -> dict[int, tuple]:
    with firm_scope(firm):
        scores = {
            score.client_id: score
            for score in ClientScore.objects.for_firm(firm).only(
                "client_id", "total", "level", "compliance", "breakdown", "checkpoints"
            )
        }
        facts = {
            row[0]: row[1:]
            for row in PortfolioFacts.objects.for_firm(firm).values_list(
                "client_id", "level", "total", "compliance", *FACT_FIELDS
            )
        }
    return {
        client_id: (
            score.total,
            score.level,
            score.compliance,
            score.breakdown,
            score.checkpoints,
            facts[client_id],
        )
        for client_id, score in scores.items()
    }


def _stored_json_text(firm) -> dict[int, tuple[str, str]]:
    """The breakdown and checkpoints as the database gives them back, to the byte."""
    if connection.vendor != "postgresql":
        return {}
    with firm_scope(firm), connection.cursor() as cursor:
        cursor.execute(
            "SELECT client_id, breakdown::text, checkpoints::text FROM scoring_clientscore "
            "WHERE firm_id = %s",
            [firm.pk],
        )
        return {client_id: (breakdown, points) for client_id, breakdown, points in cursor}


def _as_database_text(value: object) -> str:
    """A Python value as PostgreSQL stores it, sent the way Django's bulk_create sends it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::jsonb::text", [json.dumps(value)])
        return cursor.fetchone()[0]


def _delete_scores(firm) -> None:
    with firm_scope(firm):
        ClientScore.objects.for_firm(firm).delete()
        PortfolioFacts.objects.for_firm(firm).delete()


def test_every_path_stores_what_the_engine_gives(varied, monkeypatch):
    firm = varied
    expected = _expected(firm)
    assert len(expected) == CLIENTS
    # The firm is varied: many breakdowns, several checkpoint lists, every level.
    assert len({json.dumps(row[3]) for row in expected.values()}) > 20
    assert len({json.dumps(row[4]) for row in expected.values()}) > 3
    assert {row[1] for row in expected.values()} >= {"medium", "high"}

    assert services.rescore_portfolio(firm_id=firm.pk) == CLIENTS  # beside, on PostgreSQL
    assert _stored(firm) == expected
    texts = _stored_json_text(firm)
    for client_id, row in expected.items() if texts else ():
        assert texts[client_id] == (_as_database_text(row[3]), _as_database_text(row[4]))

    _delete_scores(firm)
    with transaction.atomic():  # one batch after the other
        services.rescore_portfolio(firm_id=firm.pk)
    assert _stored(firm) == expected
    assert _stored_json_text(firm) == texts

    _delete_scores(firm)
    monkeypatch.setattr(copy_writes, "uses_copy", lambda rows: False)  # SQLite's path
    services.rescore_portfolio(firm_id=firm.pk)
    assert _stored(firm) == expected
    assert _stored_json_text(firm) == texts


def test_the_encodings_kept_are_the_encoders_own_text():
    """Byte for byte what encoding each result's lists would give, for results sharing lines,
    lists, and characters COPY's text format escapes."""
    grid = load_default_grid()
    today = timezone.localdate()
    inputs = [
        ScoringInput(today=today),
        ScoringInput(today=today, obligations={"in_scope": False, "complete": True}),
        ScoringInput(
            today=today,
            profile={"invoice_tool": "paper", "invoices_issued_per_month": 1234},
            software=(
                SoftwareItem("invoicing", False, name='Fact\t"urier" \\ « é »'),
                SoftwareItem("erp", None, used_for_issuing=True),
            ),
            reception_platform="connected",
            mandate_signed=False,
        ),
    ]
    results = [score_client(data, grid) for data in inputs * 2]
    encoded = services.EncodedResults()
    for result in results:
        breakdown = encoded.breakdown(result.breakdown)
        points = encoded.checkpoint_list(result.checkpoints)
        assert breakdown == copy_writes.encode_json(breakdown_to_list(result.breakdown))
        assert points == copy_writes.encode_json(checkpoints_to_list(result.checkpoints))
        assert isinstance(breakdown, copy_writes.JsonText)
    assert len(encoded.breakdowns) == 3 and len(encoded.checkpoints) == 3
    assert encoded.breakdown(()) == "[]"
    tricky = (BreakdownLine("size_undecided", "a\tb\nc\\d", '"e" \u2028', 3),)
    assert encoded.breakdown(tricky) == copy_writes.encode_json(breakdown_to_list(tricky))


def test_the_collector_is_off_during_a_rescoring_and_as_it_was_after(firm_a, monkeypatch):
    from tests import factories

    for _ in range(3):
        factories.make_client(firm_a.firm)
    seen = []
    score_rows = services._score_rows

    def recording(*args, **kwargs):
        seen.append(gc.isenabled())
        return score_rows(*args, **kwargs)

    monkeypatch.setattr(services, "_score_rows", recording)
    assert gc.isenabled()
    services.rescore_portfolio(firm_id=firm_a.firm.pk)
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:
        services.rescore_portfolio(firm_id=firm_a.firm.pk)
        assert not gc.isenabled()  # left off by its caller: still off
    finally:
        gc.enable()
