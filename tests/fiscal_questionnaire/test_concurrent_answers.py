"""Two people answering the same client's questionnaire, the Fiscalité tab posted without
JavaScript (and by htmx): an answer given meanwhile by someone else is never written back."""

from __future__ import annotations

import pytest

from firms.tenancy import firm_scope
from fiscal_questionnaire import services
from fiscal_questionnaire.models import Answer
from tests import factories
from tests.auth import VerifiedClient as Browser


@pytest.fixture
def company(firm_a):
    company = factories.make_client(
        firm_a.firm, assigned_to=firm_a.collaborator.user, company_name="Garage Moreau"
    )
    with firm_scope(firm_a.firm):
        services.save_answers(
            firm=firm_a.firm,
            client=company,
            values={"vat_liable": True, "establishment": "france_hq"},
            by=None,
        )
    return company


def _signed_in(membership) -> Browser:
    browser = Browser()
    browser.force_login(membership.user)
    return browser


def _url(firm, company) -> str:
    return f"/f/{firm.slug}/clients/{company.pk}/fiscalite/"


def _form_data(page) -> dict[str, str]:
    """The whole form as a browser without JavaScript posts it."""
    questionnaire = page.context["questionnaire"]
    return {"loaded": questionnaire.loaded, **{row.code: row.text for row in questionnaire.rows}}


def _answers(firm, company) -> dict[str, object]:
    with firm_scope(firm):
        rows = Answer.objects.for_firm(firm).filter(client=company)
        return {row.code: row.value for row in rows}


def test_a_stale_form_writes_back_no_answer_given_meanwhile(firm_a, company):
    alice, bob = _signed_in(firm_a.collaborator), _signed_in(firm_a.supervisor)
    url = _url(firm_a.firm, company)
    alices_form = _form_data(alice.get(url))
    bobs_form = _form_data(bob.get(url))
    assert bob.post(url, {**bobs_form, "employees": "12"}).status_code == 302
    # Alice's page still shows no headcount; she gives the turnover only.
    response = alice.post(url, {**alices_form, "turnover_eur": "1 500 000"})
    assert response.status_code == 302
    assert _answers(firm_a.firm, company) == {
        "vat_liable": True,
        "establishment": "france_hq",
        "employees": 12,
        "turnover_eur": 1_500_000,
    }


def test_an_answer_changed_by_both_is_refused_with_both_values(firm_a, company):
    alice, bob = _signed_in(firm_a.collaborator), _signed_in(firm_a.supervisor)
    url = _url(firm_a.firm, company)
    alices_form = _form_data(alice.get(url))
    bob.post(url, {**_form_data(bob.get(url)), "employees": "12"})
    refused = alice.post(url, {**alices_form, "employees": "30", "turnover_eur": "2 M€"})
    assert refused.status_code == 200
    page = refused.content.decode()
    assert (
        f"Modifié entre-temps par {firm_a.supervisor.user.full_name}. "
        "Sa valeur : « 12 » ; la vôtre : « 30 »."
    ) in page
    # Her other answer is saved; the conflicting one waits for her decision.
    assert _answers(firm_a.firm, company)["employees"] == 12
    assert _answers(firm_a.firm, company)["turnover_eur"] == 2_000_000
    again = _form_data(refused)
    assert again["employees"] == "30"
    assert alice.post(url, again).status_code == 302
    assert _answers(firm_a.firm, company)["employees"] == 30


def test_an_htmx_answer_changed_meanwhile_is_refused_too(firm_a, company):
    alice, bob = _signed_in(firm_a.collaborator), _signed_in(firm_a.supervisor)
    url = _url(firm_a.firm, company)
    alices_form = _form_data(alice.get(url))
    bob.post(url, {**_form_data(bob.get(url)), "vat_regime": "franchise"})
    refused = alice.post(
        url,
        {**alices_form, "vat_regime": "reel_normal_mensuel"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TRIGGER_NAME="vat_regime",
    )
    assert refused.status_code == 200
    assert "Modifié entre-temps par" in refused.content.decode()
    assert _answers(firm_a.firm, company)["vat_regime"] == "franchise"


def test_a_forged_loaded_field_counts_as_none(firm_a, company):
    alice = _signed_in(firm_a.collaborator)
    url = _url(firm_a.firm, company)
    form = _form_data(alice.get(url))
    response = alice.post(url, {**form, "loaded": form["loaded"] + "x", "employees": "7"})
    assert response.status_code == 302
    assert _answers(firm_a.firm, company)["employees"] == 7
