"""Demo questionnaires: a realistic mix, valid answers, written in bulk by seed_demo."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command

from clients.models import Client, HistoryEntry
from demo.companies import generate_companies
from demo.questionnaires import demo_answers
from firms.models import Firm
from firms.tenancy import firm_scope
from fiscal_questionnaire.models import Answer, Obligations
from fiscal_questionnaire.questions import validate_answers
from fiscal_questionnaire.rules import derive_obligations

NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def portfolio():
    companies = generate_companies(300, seed=2026, now=NOW)
    return companies, demo_answers(companies, seed=2026)


def _kind(answers: dict) -> str:
    result = derive_obligations(answers)
    if answers.get("vat_liable") is False:
        return "not liable"
    if answers.get("establishment") == "none_in_france":
        return "foreign"
    if answers.get("exempt_operations") == "only":
        return "exempt"
    if answers.get("vat_group_member"):
        return "vat group"
    if answers.get("vat_regime") == "franchise":
        return "franchise"
    return result["size_category"] or "undecided"


def test_the_demo_portfolio_has_the_realistic_mix(portfolio):
    companies, questionnaires = portfolio
    complete = [answers for answers in questionnaires if answers and _is_complete(answers)]
    kinds = Counter(_kind(answers) for answers in complete)
    assert kinds["not liable"] >= 3  # associations, outside the scope
    assert kinds["franchise"] >= 5  # micro-entrepreneurs under the franchise
    assert kinds["exempt"] >= 2  # health practices
    assert kinds["MICRO"] >= 50 and kinds["PME"] >= 10
    assert 1 <= kinds["ETI"] <= 5
    assert kinds["vat group"] == 1 and kinds["foreign"] == 1
    for company, answers in zip(companies, questionnaires, strict=True):
        if answers.get("vat_liable") is False:
            assert company.legal_form == "association loi 1901"


def _is_complete(answers: dict) -> bool:
    return derive_obligations(answers)["complete"]


def test_some_questionnaires_are_partial_and_some_never_started(portfolio):
    _, questionnaires = portfolio
    never = sum(1 for answers in questionnaires if not answers)
    partial = sum(1 for answers in questionnaires if answers and not _is_complete(answers))
    assert 0.05 * 300 <= never <= 0.16 * 300
    assert 0.08 * 300 <= partial <= 0.22 * 300


def test_every_demo_answer_fits_the_catalogue(portfolio):
    _, questionnaires = portfolio
    for answers in questionnaires:
        assert validate_answers(answers) == {}


def test_the_same_seed_gives_the_same_answers(portfolio):
    companies, questionnaires = portfolio
    assert demo_answers(companies, seed=2026) == questionnaires


def test_seed_demo_writes_answers_obligations_and_history(db):
    call_command("seed_demo", "--clients", "60", stdout=StringIO())
    firm = Firm.objects.get(slug="durand-associes")
    with firm_scope(firm):
        clients = Client.objects.for_firm(firm).count()
        answered = set(Answer.objects.for_firm(firm).values_list("client_id", flat=True).distinct())
        obligations = list(Obligations.objects.for_firm(firm))
        entries = HistoryEntry.objects.for_firm(firm).filter(subject="answers").count()
        sample = obligations[0]
        values = dict(
            Answer.objects.for_firm(firm)
            .filter(client_id=sample.client_id)
            .values_list("code", "value")
        )
    assert clients == 60
    assert 0 < len(answered) < clients
    assert {row.client_id for row in obligations} == answered
    assert entries == len(answered)
    assert sample.complete == derive_obligations(values)["complete"]
    assert sample.missing == derive_obligations(values)["missing"]
