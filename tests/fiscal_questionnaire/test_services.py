"""Saving answers: French number formats, removal, obligations recomputed in the same transaction,
history, questionnaire versions, and suggestions that are never saved by themselves."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from clients import history
from clients.models import Client, HistoryEntry
from firms.tenancy import firm_scope
from fiscal_questionnaire import services
from fiscal_questionnaire.answer_formats import (
    NUMBER_EXPECTED,
    YES_OR_NO_EXPECTED,
    parse_answer,
    shown_answer,
)
from fiscal_questionnaire.models import Answer, Obligations
from fiscal_questionnaire.questions import QUESTIONNAIRE_VERSION, QUESTIONS_BY_CODE, InvalidAnswers
from fiscal_questionnaire.rules import derive_obligations
from fiscal_questionnaire.selectors import with_questionnaire_state
from fiscal_questionnaire.suggestions import suggestions_for
from french_formats.numbers import format_number, parse_french_number
from tests import factories

NNBSP = "\u202f"


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("0", 0),
        ("12", 12),
        ("1 500 000", 1_500_000),
        ("1\u00a0500\u00a0000", 1_500_000),  # no-break spaces, as copied from a spreadsheet
        (f"1{NNBSP}500{NNBSP}000", 1_500_000),  # narrow no-break spaces, as we display them
        ("1 500 000,50", 1_500_000.5),
        ("1 500 000 €", 1_500_000),
        ("1 500 000 EUR", 1_500_000),
        ("1.500.000", 1_500_000),
        ("1.500.000,75", 1_500_000.75),
        ("1,500,000.75", 1_500_000.75),
        ("1'500'000", 1_500_000),
        ("1.500", 1_500),
        ("1.5", 1.5),
        ("0.500", 0.5),
        ("2,5", 2.5),
        ("1,5 M€", 1_500_000),
        ("1,5M€", 1_500_000),
        ("1,5 m€", 1_500_000),
        ("2M", 2_000_000),
        ("2 millions", 2_000_000),
        ("3 millions d'euros", 3_000_000),
        ("750 k€", 750_000),
        ("750K", 750_000),
        ("1,2 Md€", 1_200_000_000),
        ("12 ETP", 12),
        ("2,75 ETP", 2.75),
        ("  42  ", 42),
        ("-3", -3),
    ],
)
def test_french_numbers_are_read(text, number):
    parsed = parse_french_number(text)
    assert parsed == number
    assert type(parsed) is type(number)


@pytest.mark.parametrize(
    "text", ["", "beaucoup", "1,5 Mo", "12 salariés", "1,2,3,4.5.6", "€", "1 500 000 000 M€ €x"]
)
def test_what_is_not_a_number_is_refused(text):
    assert parse_french_number(text) is None


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0"), (1_500_000, f"1{NNBSP}500{NNBSP}000"), (2.5, "2,5"), (1234.567, f"1{NNBSP}234,567")],
)
def test_numbers_are_shown_the_french_way_and_read_back(value, text):
    assert format_number(value) == text
    assert parse_french_number(text) == value


def test_answers_are_shown_as_people_read_them():
    assert shown_answer("vat_liable", True) == "Oui"
    assert shown_answer("establishment", "france_hq") == "Siège en France"
    assert shown_answer("turnover_eur", 1_500_000) == f"1{NNBSP}500{NNBSP}000 €"
    assert shown_answer("employees", 12) == "12"
    assert shown_answer("employees", None) == ""


@pytest.fixture
def company(firm_a) -> Client:
    return factories.make_client(firm_a.firm, assigned_to=firm_a.collaborator.user)


def _answers(firm, client) -> dict[str, Answer]:
    with firm_scope(firm):
        return {a.code: a for a in Answer.objects.for_firm(firm).filter(client=client)}


def _obligations(firm, client) -> Obligations | None:
    with firm_scope(firm):
        return Obligations.objects.for_firm(firm).filter(client=client).first()


def _history(firm, client) -> list[HistoryEntry]:
    with firm_scope(firm):
        return list(HistoryEntry.objects.for_firm(firm).filter(client=client).order_by("id"))


def _save(firm_a, client, code, raw, by=None):
    """One answer as the collaborator typed it, read and saved as the Fiscalité tab does."""
    question = QUESTIONS_BY_CODE.get(code)
    if question is None:
        raise InvalidAnswers({code: "Question inconnue."})
    with firm_scope(firm_a.firm):
        return services.save_answers(
            firm=firm_a.firm,
            client=client,
            values={code: parse_answer(question, raw)},
            by=by or firm_a.collaborator.user,
        )


def test_an_answer_is_saved_with_who_when_and_the_version(firm_a, company):
    before = timezone.now()
    _save(firm_a, company, "turnover_eur", "1,5 M€")
    answer = _answers(firm_a.firm, company)["turnover_eur"]
    assert answer.value == 1_500_000
    assert answer.answered_by == firm_a.collaborator.user
    assert answer.answered_at >= before
    assert answer.questionnaire_version == QUESTIONNAIRE_VERSION


def test_obligations_are_recomputed_and_stored_with_every_answer(firm_a, company):
    obligations = _save(firm_a, company, "vat_liable", "oui")
    assert obligations.in_scope is None  # liable, but established where?
    assert obligations.missing[0] == "establishment"
    assert obligations.complete is False
    _save(firm_a, company, "establishment", "france_hq")
    stored = _obligations(firm_a.firm, company)
    assert stored.in_scope is True
    assert stored.must_receive is True
    assert stored.receive_from == date(2026, 9, 1)
    assert stored.questionnaire_version == QUESTIONNAIRE_VERSION
    assert stored.computed_at is not None
    assert stored.reasons[0]["reference"]  # each reason carries its legal reference


def test_stored_obligations_are_those_of_the_rules_engine(firm_a, company):
    answers = {
        "vat_liable": True,
        "establishment": "france_hq",
        "vat_group_member": False,
        "exempt_operations": "none",
        "vat_regime": "reel_simplifie",
        "vat_filing_2027": "quarterly",
        "employees": 5,
        "turnover_eur": 600_000,
        "balance_sheet_eur": 200_000,
        "sells_b2b_domestic": True,
        "sells_b2c": True,
        "sells_international": False,
        "buys_international": False,
        "sells_public_sector": True,
        "activity_nature": "services",
        "vat_on_debits": False,
    }
    with firm_scope(firm_a.firm):
        services.save_answers(firm=firm_a.firm, client=company, values=answers, by=None)
    stored = _obligations(firm_a.firm, company)
    expected = derive_obligations(answers)
    assert expected["complete"] is True
    assert stored.complete is True and stored.missing == []
    assert stored.size_category == expected["size_category"] == "MICRO"
    assert stored.issue_from.isoformat() == expected["issue_from"] == "2027-09-01"
    assert stored.e_reporting_frequency == expected["e_reporting_frequency"] == "monthly"
    assert stored.e_reporting_payments is True and stored.chorus_pro is True
    assert stored.reasons == expected["reasons"]


def test_each_change_is_in_the_history_as_users_read_it(firm_a, company):
    _save(firm_a, company, "turnover_eur", "1 500 000", by=firm_a.supervisor.user)
    _save(firm_a, company, "turnover_eur", "2M")
    first, second = _history(firm_a.firm, company)
    assert second.subject == "answers" and second.actor == firm_a.collaborator.user
    assert second.changes == {
        "turnover_eur": {
            "label": "Chiffre d'affaires HT de cet exercice (€)",
            "from": f"1{NNBSP}500{NNBSP}000 €",
            "to": f"2{NNBSP}000{NNBSP}000 €",
        }
    }
    assert first.changes["turnover_eur"]["from"] == ""


def test_the_same_answer_again_changes_nothing(firm_a, company):
    _save(firm_a, company, "vat_liable", "oui")
    answered_at = _answers(firm_a.firm, company)["vat_liable"].answered_at
    _save(firm_a, company, "vat_liable", "true", by=firm_a.supervisor.user)
    assert len(_history(firm_a.firm, company)) == 1
    kept = _answers(firm_a.firm, company)["vat_liable"]
    assert kept.answered_at == answered_at and kept.answered_by == firm_a.collaborator.user


def test_an_empty_answer_removes_it_and_the_last_one_removes_the_obligations(firm_a, company):
    _save(firm_a, company, "vat_liable", "non", by=firm_a.supervisor.user)
    assert _obligations(firm_a.firm, company).in_scope is False
    _save(firm_a, company, "vat_liable", "  ")
    assert _answers(firm_a.firm, company) == {}
    assert _obligations(firm_a.firm, company) is None
    removal = _history(firm_a.firm, company)[-1]
    assert removal.changes["vat_liable"]["from"] == "Non"
    assert removal.changes["vat_liable"]["to"] == ""


@pytest.mark.parametrize(
    ("code", "raw", "message"),
    [
        ("employees", "beaucoup", NUMBER_EXPECTED),
        ("employees", "-3", "Nombre positif ou nul attendu."),
        ("vat_liable", "peut-être", YES_OR_NO_EXPECTED),
        ("establishment", "paris", "Valeur 'paris' non prévue"),
        ("not_a_question", "1", "Question inconnue."),
    ],
)
def test_a_bad_answer_is_refused_with_a_french_message(firm_a, company, code, raw, message):
    with pytest.raises(InvalidAnswers) as refused:
        _save(firm_a, company, code, raw)
    assert refused.value.errors[code].startswith(message)
    assert _answers(firm_a.firm, company) == {}
    assert _history(firm_a.firm, company) == []


def test_answers_obligations_and_history_are_written_together_or_not_at_all(
    firm_a, company, monkeypatch
):
    _save(firm_a, company, "vat_liable", "oui")

    def broken_history(**fields):
        raise RuntimeError("history unavailable")

    monkeypatch.setattr(history, "record", broken_history)
    with pytest.raises(RuntimeError):
        _save(firm_a, company, "establishment", "france_hq")
    assert set(_answers(firm_a.firm, company)) == {"vat_liable"}
    assert _obligations(firm_a.firm, company).in_scope is None


def _older_answers(firm_a, client):
    """Answers given under an older version of the questionnaire (as after an upgrade)."""
    _save(firm_a, client, "vat_liable", "non")
    with firm_scope(firm_a.firm):
        Answer.objects.for_firm(firm_a.firm).filter(client=client).update(
            questionnaire_version=QUESTIONNAIRE_VERSION - 1
        )
        services.recompute_obligations(firm=firm_a.firm, client=client)


def test_clients_answered_under_an_older_version_are_to_review(firm_a, company):
    up_to_date = factories.make_client(firm_a.firm)
    _save(firm_a, up_to_date, "vat_liable", "non")
    _older_answers(firm_a, company)
    assert _obligations(firm_a.firm, company).is_outdated
    with firm_scope(firm_a.firm):
        outdated = with_questionnaire_state(Client.objects.for_firm(firm_a.firm), "outdated")
        assert list(outdated) == [company]


def test_confirming_an_outdated_answer_brings_it_to_the_current_version(firm_a, company):
    _older_answers(firm_a, company)
    with firm_scope(firm_a.firm):
        services.confirm_answers(
            firm=firm_a.firm, client=company, codes=["vat_liable"], by=firm_a.supervisor.user
        )
    answer = _answers(firm_a.firm, company)["vat_liable"]
    assert answer.value is False and answer.questionnaire_version == QUESTIONNAIRE_VERSION
    assert answer.answered_by == firm_a.supervisor.user
    assert not _obligations(firm_a.firm, company).is_outdated
    assert "confirmées" in _history(firm_a.firm, company)[-1].summary


def test_changing_an_outdated_answer_gives_it_the_current_version(firm_a, company):
    _older_answers(firm_a, company)
    _save(firm_a, company, "vat_liable", "oui")
    assert _answers(firm_a.firm, company)["vat_liable"].questionnaire_version == (
        QUESTIONNAIRE_VERSION
    )
    assert not _obligations(firm_a.firm, company).is_outdated


def test_the_record_suggests_answers_and_only_for_open_questions(firm_a):
    micro = factories.make_client(
        firm_a.firm,
        legal_form="micro-entreprise",
        tags=["BNC", "franchise en base de TVA"],
        naf_code="47.71Z",
        postal_code="69002",
    )
    suggested = suggestions_for(micro, {})
    assert suggested["vat_liable"].value is True
    assert suggested["vat_regime"].value == "franchise"
    assert "Micro-entrepreneur" in suggested["vat_regime"].reason
    assert suggested["activity_nature"].value == "goods"
    assert suggested["establishment"].value == "france_hq"
    assert "vat_regime" not in suggestions_for(micro, {"vat_regime": "reel_simplifie"})

    association = factories.make_client(firm_a.firm, legal_form="association loi 1901")
    assert suggestions_for(association, {})["vat_liable"].value is False
    nurse = factories.make_client(firm_a.firm, naf_code="86.90D", legal_form="EI")
    assert suggestions_for(nurse, {})["exempt_operations"].value == "only"
    assert suggestions_for(nurse, {})["activity_nature"].value == "services"


def test_suggestions_are_never_saved_by_themselves(firm_a, client):
    micro = factories.make_client(
        firm_a.firm,
        assigned_to=firm_a.collaborator.user,
        legal_form="micro-entreprise",
        tags=["franchise en base de TVA"],
        naf_code="96.02A",
    )
    client.force_login(firm_a.collaborator.user)
    page = client.get(f"/f/{firm_a.firm.slug}/clients/{micro.pk}/fiscalite/")
    assert "Suggestion" in page.content.decode()
    assert _answers(firm_a.firm, micro) == {}
    assert _obligations(firm_a.firm, micro) is None


def test_the_command_recomputes_stale_obligations(firm_a, company):
    _save(firm_a, company, "vat_liable", "non")
    with firm_scope(firm_a.firm):
        Obligations.objects.for_firm(firm_a.firm).update(in_scope=None, reasons=[])
    out = StringIO()
    call_command("recompute_obligations", "--firm", firm_a.firm.slug, stdout=out)
    assert "1 clients recalculés" in out.getvalue()
    stored = _obligations(firm_a.firm, company)
    assert stored.in_scope is False and stored.reasons
