"""The benchmark's firm built by COPY (bench/build.py) is the demo's data: every client's
obligations are those the real service derives from its stored answers, its questionnaire has
its history entry, the dashboard counts every client, and row-level security hides the rows
outside the firm's scope."""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.utils import timezone

from bench import build
from cartography.models import ClientPlatform, ClientSoftware, DigitalProfile
from clients.models import Client, HistoryEntry
from firms.models import User
from firms.tenancy import firm_scope
from fiscal_questionnaire.models import Answer, Obligations
from fiscal_questionnaire.services import HISTORY_SUBJECT, derived_obligations
from scoring.services import rescore_portfolio
from tests.auth import VerifiedClient
from tests.conftest import rls_raw_count

CLIENTS = 60
COMPARED = [
    field.attname
    for field in Obligations._meta.concrete_fields
    if field.attname not in ("id", "computed_at")
]


@pytest.fixture
def built(monkeypatch):
    # The writer thread has its own connection: the rows are committed (transactional tests).
    # seed_demo makes two clients (and their invoices' PDFs), COPY the others in two chunks.
    monkeypatch.setattr(build, "SEEDED_CLIENTS", 2)
    monkeypatch.setattr(build, "CHUNK", 40)
    steps: dict[str, float] = {}
    firm = build.build_firm(clients=CLIENTS, firm_name="Banc Construit", seed=7, steps=steps)
    assert set(steps) == {"seed_demo", "clients", "equipment"}
    return firm


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_every_client_has_the_obligations_its_answers_give(built):
    firm = built
    with firm_scope(firm):
        clients = list(Client.objects.for_firm(firm).order_by("pk"))
        answers = defaultdict(dict)
        for answer in Answer.objects.for_firm(firm):
            answers[answer.client_id][answer.code] = answer
        stored = {row.client_id: row for row in Obligations.objects.for_firm(firm)}
        questionnaire_entries = defaultdict(list)
        for entry in HistoryEntry.objects.for_firm(firm).filter(subject=HISTORY_SUBJECT):
            questionnaire_entries[entry.client_id].append(entry)
        mapped = set(DigitalProfile.objects.for_firm(firm).values_list("client_id", flat=True))
        equipped = set(
            ClientPlatform.objects.for_firm(firm).values_list("client_id", flat=True)
        ) | set(ClientSoftware.objects.for_firm(firm).values_list("client_id", flat=True))

    assert len(clients) == CLIENTS
    assert len({client.siren for client in clients}) == CLIENTS
    # As the demo: about one client in ten has not started its questionnaire.
    assert CLIENTS * 0.7 <= len(answers) < CLIENTS
    assert set(stored) == set(answers)
    for client in clients:
        if client.pk not in answers:
            assert client.pk not in questionnaire_entries
            continue
        expected = derived_obligations(
            firm=firm, client=client, answers=answers[client.pk], now=timezone.now()
        )
        row = stored[client.pk]
        assert {name: getattr(row, name) for name in COMPARED} == {
            name: getattr(expected, name) for name in COMPARED
        }, client.company_name
        (entry,) = questionnaire_entries[client.pk]
        assert set(entry.changes) == set(answers[client.pk])
        assert entry.summary.startswith(f"Questionnaire fiscal : {len(answers[client.pk])} ")
    # Varied like the demo: complete and partial questionnaires, several sizes.
    rows = list(stored.values())
    assert {row.complete for row in rows} == {True, False}
    assert len({row.size_category for row in rows if row.size_category}) >= 2
    # About nine in ten mapped by the demo's cartographies; equipment for others.
    assert len(mapped) >= CLIENTS * 0.7
    assert len(equipped) >= CLIENTS * 0.8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_dashboard_counts_every_client_of_the_built_firm(built):
    firm = built
    rescore_portfolio(firm_id=firm.pk)
    http = VerifiedClient()
    http.force_login(User.objects.get(email="admin@demo.pilote-fe.fr"))
    response = http.get(f"/f/{firm.slug}/cartographie/")
    assert response.status_code == 200
    figures = response.context["figures"]
    assert (figures.clients, figures.unscored) == (CLIENTS, 0)
    assert figures.high + figures.medium + figures.low == CLIENTS


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_built_rows_are_visible_only_under_the_firm_scope(built, firm_b):
    firm = built
    tables = [
        "clients_client",
        "fiscal_questionnaire_answer",
        "fiscal_questionnaire_obligations",
        "clients_historyentry",
        "cartography_clientplatform",
    ]
    with firm_scope(firm):
        seen = {table: rls_raw_count(table) for table in tables}
    assert seen["clients_client"] == CLIENTS
    assert all(count > 0 for count in seen.values()), seen
    assert {table: rls_raw_count(table) for table in tables} == dict.fromkeys(tables, 0)
    with firm_scope(firm_b.firm):
        assert rls_raw_count("clients_client") == 0
        assert rls_raw_count("fiscal_questionnaire_answer") == 0


def test_the_obligations_computed_once_per_band_are_those_of_each_client():
    """The build derives obligations once per set of answers whose figures fall in the same
    threshold bands: for thousands of demo questionnaires, each is what the pure function gives
    for that client's own answers."""
    from demo.companies import iter_companies
    from demo.questionnaires import demo_answers

    companies = list(iter_companies(3000, seed=11, now=timezone.now(), taken_sirens=set()))
    questionnaires = [answers for answers in demo_answers(companies, seed=11) if answers]
    encoder = build.Encoder()
    for answers in questionnaires:
        values = encoder.obligations_values(answers)
        expected = build.obligations_row(answers)
        assert encoder.obligation_columns == tuple(expected)
        assert [str(value) for value in values] == [
            build.RawJSON(encoder.dumps(value)) if isinstance(value, list) else str(value)
            for value in expected.values()
        ], answers
    # Shared: far fewer derivations than questionnaires.
    assert len(encoder.obligations) < len(questionnaires) / 2
