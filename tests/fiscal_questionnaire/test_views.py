"""The Fiscalité and Obligations FE tabs: htmx partials and the plain-form fallback, ownership,
query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from firms.tenancy import firm_scope
from fiscal_questionnaire import services
from fiscal_questionnaire.models import Answer
from tests import factories

ESTABLISHMENT_QUESTION = "Où l'entreprise est-elle établie ?"
DEBITS_QUESTION = "Option pour le paiement de la TVA d'après les débits ?"


@pytest.fixture
def company(firm_a):
    return factories.make_client(
        firm_a.firm, assigned_to=firm_a.collaborator.user, company_name="Garage Moreau"
    )


@pytest.fixture
def collaborator(client, firm_a):
    client.force_login(firm_a.collaborator.user)
    return client


def _url(firm_a, company, tab="fiscalite") -> str:
    return f"/f/{firm_a.firm.slug}/clients/{company.pk}/{tab}/"


def _htmx_post(http, url, trigger, data):
    return http.post(url, data, HTTP_HX_REQUEST="true", HTTP_HX_TRIGGER_NAME=trigger)


def _answers(firm_a, company) -> dict[str, object]:
    with firm_scope(firm_a.firm):
        rows = Answer.objects.for_firm(firm_a.firm).filter(client=company)
        return {row.code: row.value for row in rows}


def _answer(firm_a, company, values, by=None):
    with firm_scope(firm_a.firm):
        services.save_answers(firm=firm_a.firm, client=company, values=values, by=by)


def test_the_tab_shows_the_first_question_and_the_empty_obligations(collaborator, firm_a, company):
    page = collaborator.get(_url(firm_a, company)).content.decode()
    assert "<html" in page and 'aria-current="page">Fiscalité' in page
    assert "L&#x27;entreprise est-elle assujettie à la TVA ?" in page
    assert "Où l&#x27;entreprise" not in page
    assert "Questionnaire fiscal pas encore commencé" in page


def test_an_htmx_answer_returns_the_questionnaire_and_the_obligations_out_of_band(
    collaborator, firm_a, company
):
    response = _htmx_post(collaborator, _url(firm_a, company), "vat_liable", {"vat_liable": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="questionnaire"' in html
    assert 'id="obligations-summary" hx-swap-oob="true"' in html
    assert "Où l&#x27;entreprise est-elle établie ?" in html  # a question appeared
    assert _answers(firm_a, company) == {"vat_liable": True}


def test_questions_appear_and_disappear_with_the_answers(collaborator, firm_a, company):
    _answer(firm_a, company, {"vat_liable": True, "establishment": "france_hq"})
    url = _url(firm_a, company)
    services_page = _htmx_post(
        collaborator, url, "activity_nature", {"activity_nature": "services"}
    ).content.decode()
    assert "Option pour le paiement de la TVA d&#x27;après les débits ?" in services_page
    goods_page = _htmx_post(
        collaborator, url, "activity_nature", {"activity_nature": "goods"}
    ).content.decode()
    assert "d&#x27;après les débits" not in goods_page


def test_a_company_without_establishment_in_france_is_asked_its_size(collaborator, firm_a, company):
    _answer(firm_a, company, {"vat_liable": True, "establishment": "france_hq"})
    url = _url(firm_a, company)
    page = _htmx_post(
        collaborator, url, "establishment", {"establishment": "none_in_france"}
    ).content.decode()
    for code in ("employees", "turnover_eur", "balance_sheet_eur", "size_category_override"):
        assert f'id="question-{code}"' in page, code
    for code in (
        "vat_group_member",
        "exempt_operations",
        "sells_international",
        "buys_international",
        "sells_public_sector",
    ):
        assert f'id="question-{code}"' not in page, code
    assert 'id="reference-year"' in page
    # The figures decide the date of its e-reporting: they are among the questions to answer.
    assert 'question--needed" id="question-employees"' in page

    for code, text in (
        ("sells_b2c", "true"),
        ("vat_regime", "reel_normal_mensuel"),
        ("employees", "50"),
        ("turnover_eur", "10 M€"),
        ("balance_sheet_eur", "5 M€"),
    ):
        _htmx_post(collaborator, url, code, {code: text})
    obligations = collaborator.get(_url(firm_a, company, "obligations")).content.decode()
    assert "01/09/2027" in obligations  # the e-reporting of its sales to consumers
    assert "01/09/2026" not in obligations  # no reception duty
    assert "calendrier des PME et des microentreprises" in obligations


@pytest.mark.parametrize(
    ("answers", "shown"),
    [
        pytest.param({"vat_liable": False}, "Sans objet", id="not-liable"),
        pytest.param(
            {"vat_liable": True, "establishment": "none_in_france", "sells_b2c": False},
            "À déterminer",
            id="not-established-size-still-asked",
        ),
        pytest.param(
            {
                "vat_liable": True,
                "establishment": "none_in_france",
                "sells_b2c": False,
                "employees": 3,
                "turnover_eur": 200_000,
            },
            "Microentreprise",
            id="not-established-size-known",
        ),
    ],
)
def test_the_size_line_outside_the_reform(collaborator, firm_a, company, answers, shown):
    _answer(firm_a, company, answers)
    response = collaborator.get(_url(firm_a, company, "obligations"))
    [size_line] = [line for line in response.context["lines"] if line.key == "size_category"]
    assert size_line.value == shown


def test_htmx_saves_only_the_question_that_changed(collaborator, firm_a, company):
    _answer(firm_a, company, {"vat_liable": True, "establishment": "france_hq"})
    # The form is posted whole by htmx; a stale value of another question must not be written.
    _htmx_post(
        collaborator,
        _url(firm_a, company),
        "employees",
        {"employees": "12", "establishment": "none_in_france", "vat_liable": "true"},
    )
    assert _answers(firm_a, company) == {
        "vat_liable": True,
        "establishment": "france_hq",
        "employees": 12,
    }


def test_without_javascript_the_whole_form_is_saved_and_the_page_reloads(
    collaborator, firm_a, company
):
    _answer(firm_a, company, {"vat_liable": True, "establishment": "france_hq"})
    response = collaborator.post(
        _url(firm_a, company),
        {
            "vat_liable": "true",
            "establishment": "france_hq",
            "turnover_eur": "1 500 000",
            "balance_sheet_eur": "750 k€",
            "employees": "",
            "vat_regime": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == _url(firm_a, company)
    assert _answers(firm_a, company) == {
        "vat_liable": True,
        "establishment": "france_hq",
        "turnover_eur": 1_500_000,
        "balance_sheet_eur": 750_000,
    }
    page = collaborator.get(response["Location"]).content.decode()
    assert "Réponses enregistrées." in page
    assert 'value="1\u202f500\u202f000"' in page  # shown back the French way


def test_a_number_that_cannot_be_read_keeps_what_was_typed_with_the_message(
    collaborator, firm_a, company
):
    _answer(firm_a, company, {"vat_liable": True, "establishment": "france_hq"})
    response = collaborator.post(
        _url(firm_a, company), {"employees": "une dizaine", "turnover_eur": "2M"}
    )
    page = response.content.decode()
    assert response.status_code == 200 and "<html" in page
    assert "Nombre attendu, par exemple 1 500 000 ou 1,5 M€." in page
    assert 'value="une dizaine"' in page
    assert _answers(firm_a, company)["turnover_eur"] == 2_000_000
    assert "employees" not in _answers(firm_a, company)


def test_htmx_errors_come_back_in_the_partial(collaborator, firm_a, company):
    _answer(firm_a, company, {"vat_liable": True, "establishment": "france_hq"})
    response = _htmx_post(collaborator, _url(firm_a, company), "employees", {"employees": "-2"})
    assert response.status_code == 200
    assert "Nombre positif ou nul attendu." in response.content.decode()


def test_a_suggestion_is_saved_only_when_confirmed(collaborator, firm_a):
    micro = factories.make_client(
        firm_a.firm,
        assigned_to=firm_a.collaborator.user,
        legal_form="micro-entreprise",
        tags=["franchise en base de TVA"],
    )
    url = _url(firm_a, micro)
    page = collaborator.get(url).content.decode()
    assert "Suggestion : <strong>Oui</strong>" in page
    assert _answers(firm_a, micro) == {}
    collaborator.post(url, {"accept_suggestion": "vat_liable"})
    assert _answers(firm_a, micro) == {"vat_liable": True}
    _htmx_post(collaborator, url, "accept_suggestion", {"accept_suggestion": "vat_regime"})
    assert _answers(firm_a, micro) == {"vat_liable": True, "vat_regime": "franchise"}


def test_who_answered_and_when_is_shown_next_to_the_answer(collaborator, firm_a, company):
    _answer(firm_a, company, {"vat_liable": False}, by=firm_a.supervisor.user)
    page = collaborator.get(_url(firm_a, company)).content.decode()
    assert firm_a.supervisor.user.full_name in page


def test_an_outdated_answer_can_be_confirmed(collaborator, firm_a, company):
    _answer(firm_a, company, {"vat_liable": False})
    with firm_scope(firm_a.firm):
        Answer.objects.for_firm(firm_a.firm).update(questionnaire_version=0)
        services.recompute_obligations(firm=firm_a.firm, client=company)
    page = collaborator.get(_url(firm_a, company)).content.decode()
    assert "À revoir (version 0)" in page
    collaborator.post(_url(firm_a, company), {"confirm_answer": "vat_liable"})
    assert "À revoir" not in collaborator.get(_url(firm_a, company)).content.decode()


@pytest.mark.parametrize("tab", ["fiscalite", "obligations"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_collaborator_cannot_open_a_client_not_assigned_to_them(
    client, firm_a, company, tab, method
):
    client.force_login(firm_a.other_collaborator.user)
    response = getattr(client, method)(_url(firm_a, company, tab), {"vat_liable": "true"})
    assert response.status_code in ((404,) if method == "get" or tab == "fiscalite" else (405,))
    assert _answers(firm_a, company) == {}


def test_supervisors_answer_for_any_client(client, firm_a, company):
    client.force_login(firm_a.supervisor.user)
    client.post(_url(firm_a, company), {"vat_liable": "false"})
    assert _answers(firm_a, company) == {"vat_liable": False}


def test_the_obligations_tab_shows_each_obligation_with_its_reason_and_reference(
    collaborator, firm_a, company
):
    _answer(firm_a, company, {"vat_liable": True, "establishment": "france_hq"})
    page = collaborator.get(_url(firm_a, company, "obligations")).content.decode()
    assert "Réception des factures électroniques" in page
    assert "01/09/2026" in page
    assert "CGI, art. 289 bis" in page  # the legal reference of the reception duty
    assert "À déterminer" in page
    # What is missing links to the question.
    assert f'href="{_url(firm_a, company)}#question-vat_group_member"' in page


def test_the_obligations_tab_without_answers_points_to_the_questionnaire(
    collaborator, firm_a, company
):
    page = collaborator.get(_url(firm_a, company, "obligations")).content.decode()
    assert "questionnaire pas encore commencé" in page
    assert f"{_url(firm_a, company)}#question-vat_liable" in page


def test_the_summary_card_is_on_the_synthese_tab(collaborator, firm_a, company):
    _answer(firm_a, company, {"vat_liable": False})
    page = collaborator.get(f"/f/{firm_a.firm.slug}/clients/{company.pk}/").content.decode()
    assert 'id="obligations-summary"' in page
    assert "Questionnaire complet" in page


def _tab_queries(http, url) -> int:
    http.get(url)  # warm the session
    with CaptureQueriesContext(connection) as captured:
        response = http.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_fiscal_tab_costs_the_same_queries_however_many_answers(collaborator, firm_a, company):
    url = _url(firm_a, company)
    empty = _tab_queries(collaborator, url)
    _answer(
        firm_a,
        company,
        {
            "vat_liable": True,
            "establishment": "france_hq",
            "employees": 3,
            "turnover_eur": 100_000,
            "balance_sheet_eur": 50_000,
            "activity_nature": "services",
            "vat_on_debits": False,
        },
        by=firm_a.collaborator.user,
    )
    answered = _tab_queries(collaborator, url)
    assert answered == empty
    # Session, user, firm, membership, the firm switcher and the RLS scope (savepoint, settings)
    # cost 9; the tab itself 4: the client, its score (the header's badge), its answers, its
    # obligations.
    assert answered <= 13


def _save_statements(http, url, value: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = _htmx_post(http, url, "vat_on_debits", {"vat_on_debits": value})
    assert response.status_code == 200 and 'id="questionnaire"' in response.content.decode()
    return len(captured)


def test_saving_one_answer_costs_a_fixed_small_number_of_statements(collaborator, firm_a, company):
    """One htmx save: the answer, the obligations derived again, the client's score and facts,
    the history entry and the re-rendered questionnaire, in the same statements whatever the
    client has already answered or the firm holds."""
    url = _url(firm_a, company)
    _answer(
        firm_a,
        company,
        {"vat_liable": True, "establishment": "france_hq", "activity_nature": "services"},
        by=firm_a.collaborator.user,
    )
    _save_statements(collaborator, url, "true")  # warm the session
    few = _save_statements(collaborator, url, "false")
    _answer(
        firm_a,
        company,
        {"employees": 3, "turnover_eur": 100_000, "balance_sheet_eur": 50_000, "sells_b2c": True},
        by=firm_a.collaborator.user,
    )
    for _ in range(5):
        factories.make_client(firm_a.firm, assigned_to=firm_a.collaborator.user)
    many = _save_statements(collaborator, url, "true")
    assert many == few
    # Session, user, firm, scope, membership, client (6); the answers read, the client locked,
    # the answer written (about 4); the obligations read and written; the scoring's grid,
    # mandates, obligations, cartography (3) and the score and facts upserts (8); the history
    # entry folded in (4); the questionnaire, obligations and badge read again (3); savepoints.
    assert many <= 34
