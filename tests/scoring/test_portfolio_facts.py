"""The facts stored beside each score (PortfolioFacts): derived from the scoring input, written in
the same upsert as the score, kept in step with the cartography, and filled by the migration
for the scores stored before them."""

from __future__ import annotations

import importlib
from datetime import date
from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from cartography import services as cartography
from cartography.models import Platform
from clients.models import Client
from firms.models import Firm
from firms.tenancy import firm_scope
from fiscal_questionnaire.models import Obligations
from scoring.engine import ScoringInput, SoftwareItem
from scoring.inputs import scoring_inputs
from scoring.models import ClientScore, PortfolioFacts
from scoring.portfolio_facts import FACT_FIELDS, NOT_READY, READY, UNKNOWN, portfolio_facts
from scoring.services import score_clients
from tests import factories

TODAY = date(2026, 11, 25)


def _software(*readiness: bool | None) -> tuple[SoftwareItem, ...]:
    return tuple(SoftwareItem(category="accounting", reform_ready=ready) for ready in readiness)


def test_a_client_with_nothing_recorded_has_undecided_facts():
    facts = portfolio_facts(ScoringInput(today=TODAY))
    assert facts == {
        "size_category": "",
        "in_scope": None,
        "obligations_complete": False,
        "must_receive": None,
        "receive_from": None,
        "must_issue": None,
        "issue_from": None,
        "e_reporting": None,
        "e_reporting_from": None,
        "reception_stage": 0,
        "issuing_stage": 0,
        "software_readiness": None,
        "mandate_status": "",
    }
    assert set(facts) == set(FACT_FIELDS)


def test_obligations_are_read_from_the_derived_result():
    obligations = {
        "in_scope": True,
        "size_category": "PME",
        "complete": True,
        "must_receive": True,
        "receive_from": "2026-09-01",
        "must_issue": True,
        "issue_from": "2027-09-01",
        "e_reporting_transactions": False,
        "e_reporting_transactions_from": None,
        "e_reporting_payments": True,
        "e_reporting_payments_from": "2027-09-01",
    }
    facts = portfolio_facts(ScoringInput(today=TODAY, obligations=obligations))
    assert facts["size_category"] == "PME"
    assert facts["obligations_complete"] is True
    assert facts["receive_from"] == date(2026, 9, 1)
    assert facts["issue_from"] == date(2027, 9, 1)
    assert facts["e_reporting"] is True
    assert facts["e_reporting_from"] == date(2027, 9, 1)


def test_e_reporting_is_false_only_when_both_kinds_are_decided_and_not_due():
    def e_reporting(transactions, payments):
        obligations = {"e_reporting_transactions": transactions, "e_reporting_payments": payments}
        return portfolio_facts(ScoringInput(today=TODAY, obligations=obligations))["e_reporting"]

    assert e_reporting(False, False) is False
    assert e_reporting(False, None) is None
    assert e_reporting(None, True) is True
    assert e_reporting(True, False) is True


def test_the_least_ready_software_sets_the_readiness():
    def readiness(*items):
        return portfolio_facts(ScoringInput(today=TODAY, software=_software(*items)))[
            "software_readiness"
        ]

    assert readiness(True, True) == READY
    assert readiness(True, None) == UNKNOWN
    assert readiness(True, None, False) == NOT_READY


def test_platform_stages_follow_the_order_of_the_statuses():
    stages = [
        portfolio_facts(ScoringInput(today=TODAY, reception_platform=status))["reception_stage"]
        for status in (None, "considered", "chosen", "contract_signed", "connected", "tested")
    ]
    assert stages == [0, 1, 2, 3, 4, 5]


def _facts(firm, client) -> PortfolioFacts:
    return PortfolioFacts.objects.for_firm(firm).get(client=client)


def test_scoring_writes_the_facts_with_the_score_and_a_platform_change_updates_them(firm_a):
    firm = firm_a.firm
    client = factories.make_client(firm)
    with firm_scope(firm):
        score = score_clients(firm=firm, client_ids=[client.pk])[0]
        facts = _facts(firm, client)
        assert (facts.level, facts.total, facts.compliance) == (
            score.level,
            score.total,
            score.compliance,
        )
        assert facts.reception_stage == 0

        platform = Platform.objects.create(firm=firm, name="PA Exemple")
        cartography.set_client_platform(
            firm=firm,
            client=client,
            role="reception",
            platform=platform,
            status="connected",
            by=firm_a.admin.user,
        )
        facts = _facts(firm, client)
        stored = ClientScore.objects.for_firm(firm).get(client=client)
        assert facts.reception_stage == 4
        assert (facts.level, facts.total) == (stored.level, stored.total)
        assert PortfolioFacts.objects.for_firm(firm).count() == 1


# The facts the data migration filled; the mandates' status came later, with its own column.
MIGRATED_FIELDS = [name for name in FACT_FIELDS if name != "mandate_status"]


def test_the_migration_fills_the_same_facts_as_the_scoring(firm_a):
    """The SQL of the data migration against portfolio_facts, on a seeded mix of clients (answers,
    software of every readiness, platforms at every status)."""
    call_command("seed_demo", "--clients", "80", "--firm", "Cabinet Faits", stdout=StringIO())
    firm = Firm.objects.get(slug="cabinet-faits")
    migration = importlib.import_module("scoring.migrations.0003_fill_portfolio_facts")
    with firm_scope(firm):
        # Two cases the seed may not give: a software typed in (no catalogue entry, so its
        # readiness is unknown) and e-reporting of payments only.
        typed_in = Client.objects.for_firm(firm).order_by("pk").first()
        cartography.add_client_software(
            firm=firm,
            client=typed_in,
            data={"name": "Caisse maison", "category": "point_of_sale"},
            by=None,
        )
        payments_only = Obligations.objects.for_firm(firm).order_by("pk").last()
        Obligations.objects.for_firm(firm).filter(pk=payments_only.pk).update(
            e_reporting_transactions=False,
            e_reporting_transactions_from=None,
            e_reporting_payments=True,
            e_reporting_payments_from=date(2027, 9, 1),
        )
        score_clients(firm=firm, client_ids=[payments_only.client.pk])[0]
        expected = {
            facts.client_id: {name: getattr(facts, name) for name in MIGRATED_FIELDS}
            for facts in PortfolioFacts.objects.for_firm(firm)
        }
        PortfolioFacts.objects.for_firm(firm).delete()
        with connection.cursor() as cursor:
            cursor.execute(migration.BACKFILL + " WHERE s.firm_id = %s", [firm.pk])
        filled = {
            facts.client_id: {name: getattr(facts, name) for name in MIGRATED_FIELDS}
            for facts in PortfolioFacts.objects.for_firm(firm)
        }
        inputs = scoring_inputs(firm.pk, list(expected), today=timezone.localdate())

    assert len(expected) == 80
    assert expected[typed_in.pk]["software_readiness"] in (UNKNOWN, NOT_READY)
    assert expected[payments_only.client_id]["e_reporting"] is True
    assert expected[payments_only.client_id]["e_reporting_from"] == date(2027, 9, 1)
    assert filled == expected
    derived = {client_id: portfolio_facts(data) for client_id, data in inputs.items()}
    assert expected == {
        client_id: {name: facts[name] for name in MIGRATED_FIELDS}
        for client_id, facts in derived.items()
    }
    # The mix covers what the SQL translates.
    readiness = {facts["software_readiness"] for facts in expected.values()}
    stages = {facts["reception_stage"] for facts in expected.values()}
    assert {None, READY} <= readiness and len(readiness) >= 3
    assert len(stages) >= 4
