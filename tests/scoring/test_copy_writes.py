"""Scores and facts written many at once: COPY into a temporary table and one upsert on
PostgreSQL, bulk_create elsewhere (clients.copy_writes). Both paths store the same rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cartography.models import ClientPlatform, Platform
from clients import copy_writes
from clients.models import Client
from firms.tenancy import firm_scope
from fiscal_questionnaire import services as questionnaire
from scoring import services
from scoring.models import ClientScore, PortfolioFacts
from tests import factories

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the COPY path is PostgreSQL's"
)
MANY = copy_writes.COPY_FROM_ROWS + 10


def _portfolio(firm_a, count: int) -> list[int]:
    """Clients in various states: some with answers, one with a platform."""
    firm = firm_a.firm
    ids = []
    for n in range(count):
        client = factories.make_client(firm)
        ids.append(client.pk)
        if n % 3 == 0:
            with firm_scope(firm):
                questionnaire.save_answers(
                    firm=firm,
                    client=client,
                    values={"vat_liable": True, "establishment": "france_hq"},
                    by=None,
                )
    with firm_scope(firm):
        platform = Platform.objects.create(firm=firm, name="PA « Alpha »\t\\ test")
        ClientPlatform.objects.create(
            firm=firm, client_id=ids[1], platform=platform, role="reception", status="chosen"
        )
    return ids


def _stored(firm) -> tuple[dict, dict]:
    with firm_scope(firm):
        scores = {
            row["client_id"]: row
            for row in ClientScore.objects.for_firm(firm).values(
                "client_id", "total", "level", "compliance", "breakdown", "checkpoints"
            )
        }
        facts = {
            row["client_id"]: row
            for row in PortfolioFacts.objects.for_firm(firm).values().order_by("client_id")
        }
    for row in facts.values():
        row.pop("id")
    return scores, facts


def test_copy_and_bulk_create_store_the_same_scores_and_facts(firm_a, monkeypatch):
    ids = _portfolio(firm_a, MANY)
    firm = firm_a.firm
    with firm_scope(firm), CaptureQueriesContext(connection) as copied:
        services.score_clients(firm=firm, client_ids=ids)
    assert any(
        query["sql"].startswith("INSERT INTO") and "SELECT" in query["sql"] for query in copied
    )
    by_copy = _stored(firm)
    with firm_scope(firm):
        ClientScore.objects.for_firm(firm).delete()
        PortfolioFacts.objects.for_firm(firm).delete()
    monkeypatch.setattr(copy_writes, "uses_copy", lambda rows: False)  # SQLite's path
    with firm_scope(firm), CaptureQueriesContext(connection) as bulk:
        services.score_clients(firm=firm, client_ids=ids)
    assert not any("incoming_" in query["sql"] for query in bulk)
    assert _stored(firm) == by_copy
    scores, facts = by_copy
    assert len(scores) == len(facts) == MANY
    assert facts[ids[1]]["reception_stage"] > 0


def test_an_upsert_by_copy_updates_rows_in_place(firm_a):
    ids = _portfolio(firm_a, MANY)
    firm = firm_a.firm
    with firm_scope(firm):
        services.score_clients(firm=firm, client_ids=ids)
        before = dict(ClientScore.objects.for_firm(firm).values_list("client_id", "id"))
        client = Client.objects.for_firm(firm).get(pk=ids[2])
        questionnaire.save_answers(firm=firm, client=client, values={"vat_liable": False}, by=None)
        services.score_clients(firm=firm, client_ids=ids)
        after = dict(ClientScore.objects.for_firm(firm).values_list("client_id", "id"))
    assert after == before  # same rows, updated


def test_json_with_every_character_copy_escapes_round_trips(firm_a):
    """Tabs, newlines, backslashes, quotes and non-ASCII in a JSON value survive COPY's text
    format."""
    firm = firm_a.firm
    ids = [factories.make_client(firm).pk for _ in range(MANY)]
    tricky = [{"label": 'a\tb\nc\\d "e" « é » \u2028 \x01', "points": 3}]
    now = timezone.now()
    rows = [(firm.pk, client_id, 1, "low", 50, tricky, [], 0, now) for client_id in ids]
    with firm_scope(firm):
        copy_writes.upsert_rows(
            ClientScore,
            services.SCORE_COLUMNS,
            rows,
            unique=services.UNIQUE,
            update=services.SCORE_FIELDS,
        )
        stored = list(ClientScore.objects.for_firm(firm).values_list("breakdown", flat=True))
    assert stored == [tricky] * MANY


def test_a_full_rescoring_costs_a_fixed_number_of_statements_per_batch(firm_a, monkeypatch):
    firm = firm_a.firm
    _portfolio(firm_a, MANY)
    monkeypatch.setattr(services, "BATCH", 1000)
    with CaptureQueriesContext(connection) as small:
        services.rescore_portfolio(firm_id=firm.pk)
    for _ in range(MANY):
        factories.make_client(firm)
    with CaptureQueriesContext(connection) as large:
        services.rescore_portfolio(firm_id=firm.pk)
    assert len(large) == len(small)


def _fact_versions(firm) -> dict[int, str]:
    """Each facts row's xmin: the transaction that wrote its current version."""
    with firm_scope(firm), connection.cursor() as cursor:
        cursor.execute(
            "SELECT client_id, xmin::text FROM scoring_portfoliofacts WHERE firm_id = %s",
            [firm.pk],
        )
        return dict(cursor.fetchall())


def test_a_rescoring_leaves_unchanged_facts_rows_as_they_are(firm_a):
    ids = _portfolio(firm_a, MANY)
    firm = firm_a.firm
    with firm_scope(firm):
        services.score_clients(firm=firm, client_ids=ids)
    before = _fact_versions(firm)
    with firm_scope(firm):
        client = Client.objects.for_firm(firm).get(pk=ids[0])
        questionnaire.save_answers(firm=firm, client=client, values={"vat_liable": False}, by=None)
        services.score_clients(firm=firm, client_ids=ids)
    after = _fact_versions(firm)
    assert set(after) == set(before) == set(ids)
    assert [client_id for client_id in ids if after[client_id] != before[client_id]] == [ids[0]]
