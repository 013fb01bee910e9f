"""/api/v1/clients/<id>/answers/ and /obligations/: same rules and messages as the command,
same scope as the web app."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from clients.models import HistoryEntry
from config.api_parsers import NOT_AN_OBJECT
from firms.services import create_api_token
from firms.tenancy import firm_scope
from fiscal_questionnaire.questions import QUESTIONNAIRE_VERSION, validate_answers
from fiscal_questionnaire.rules import RESULT_KEYS, derive_obligations
from tests import factories

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def api(client):
    def call(membership, method, path, data=None):
        with firm_scope(membership.firm):
            _, token = create_api_token(membership=membership, name="test")
        return getattr(client, method)(
            path, data, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}"
        )

    return call


@pytest.fixture
def company(firm_a):
    return factories.make_client(firm_a.firm, assigned_to=firm_a.collaborator.user)


def _answers_url(company) -> str:
    return f"/api/v1/clients/{company.pk}/answers/"


def _obligations_url(company) -> str:
    return f"/api/v1/clients/{company.pk}/obligations/"


def test_answers_are_written_and_read_with_version_author_and_date(api, firm_a, company):
    written = api(
        firm_a.collaborator,
        "patch",
        _answers_url(company),
        {"vat_liable": True, "establishment": "france_hq", "turnover_eur": 1_500_000},
    )
    assert written.status_code == 200, written.json()
    read = api(firm_a.supervisor, "get", _answers_url(company)).json()
    assert read["questionnaire_version"] == QUESTIONNAIRE_VERSION
    assert "vat_group_member" in read["visible_questions"]
    by_code = {answer["code"]: answer for answer in read["answers"]}
    assert by_code["turnover_eur"]["value"] == 1_500_000
    assert by_code["vat_liable"]["answered_by"]["full_name"] == (firm_a.collaborator.user.full_name)
    assert by_code["vat_liable"]["questionnaire_version"] == QUESTIONNAIRE_VERSION
    assert by_code["vat_liable"]["outdated"] is False
    assert by_code["vat_liable"]["answered_at"]
    with firm_scope(firm_a.firm):
        entry = HistoryEntry.objects.for_firm(firm_a.firm).get(client=company)
    assert entry.subject == "answers" and set(entry.changes) == {
        "vat_liable",
        "establishment",
        "turnover_eur",
    }


def test_null_removes_an_answer(api, firm_a, company):
    api(firm_a.collaborator, "patch", _answers_url(company), {"vat_liable": False})
    api(firm_a.collaborator, "patch", _answers_url(company), {"vat_liable": None})
    assert api(firm_a.collaborator, "get", _answers_url(company)).json()["answers"] == []


def test_obligations_are_those_of_the_rules_engine(api, firm_a, company):
    answers = {"vat_liable": True, "establishment": "france_hq", "vat_group_member": True}
    api(firm_a.collaborator, "patch", _answers_url(company), answers)
    response = api(firm_a.collaborator, "get", _obligations_url(company))
    assert response.status_code == 200
    data = response.json()
    assert {key: data[key] for key in RESULT_KEYS} == derive_obligations(answers)
    assert data["questionnaire_version"] == QUESTIONNAIRE_VERSION and data["computed_at"]


def test_obligations_without_answers_decide_nothing(api, firm_a, company):
    data = api(firm_a.collaborator, "get", _obligations_url(company)).json()
    assert {key: data[key] for key in RESULT_KEYS} == derive_obligations({})
    assert data["computed_at"] is None


BAD_ANSWERS = {
    "vat_liable": "oui",
    "employees": -1,
    "turnover_eur": True,
    "establishment": "paris",
    "shoe_size": 42,
}


def _command_messages(answers: dict) -> str:
    """What ``derive_obligations`` prints on standard error for the same answers."""
    batch = json.dumps([{"id": "client-1", "answers": answers}])
    result = subprocess.run(
        [sys.executable, "manage.py", "derive_obligations", "-"],
        input=batch,
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 2 and result.stdout == ""
    return result.stderr


def test_bad_values_get_the_same_messages_as_the_command(api, firm_a, company):
    response = api(firm_a.collaborator, "patch", _answers_url(company), BAD_ANSWERS)
    assert response.status_code == 400
    errors = response.json()
    assert errors == validate_answers(BAD_ANSWERS)
    assert set(errors) == set(BAD_ANSWERS)
    stderr = _command_messages(BAD_ANSWERS)
    for code, message in errors.items():
        assert f"question {code} : {message}" in stderr
    # Nothing was written: not even the answers that were right.
    assert api(firm_a.collaborator, "get", _answers_url(company)).json()["answers"] == []


def test_a_payload_that_is_not_an_object_is_refused(api, firm_a, company):
    response = api(firm_a.collaborator, "patch", _answers_url(company), ["vat_liable"])
    assert response.status_code == 400
    # Refused before the view, as every API body that is not an object.
    assert response.json() == {"detail": NOT_AN_OBJECT}


@pytest.mark.parametrize("method", ["get", "patch"])
def test_a_collaborator_token_sees_only_assigned_clients(api, firm_a, company, method):
    for url in (_answers_url(company), _obligations_url(company)):
        response = api(firm_a.other_collaborator, method, url, {"vat_liable": True})
        assert response.status_code in (404, 405)
    assert api(firm_a.supervisor, "get", _answers_url(company)).json()["answers"] == []


def test_another_firms_token_gets_404(api, firm_a, firm_b, company):
    assert api(firm_b.admin, "get", _answers_url(company)).status_code == 404
    assert api(firm_b.admin, "patch", _answers_url(company), {}).status_code == 404
    assert api(firm_b.admin, "get", _obligations_url(company)).status_code == 404
