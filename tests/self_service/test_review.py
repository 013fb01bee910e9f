"""The firm's side: the link from the client sheet, the review field by field through the
services of a collaborator's own edit, the lists' filter and figure, the API."""

from __future__ import annotations

import pytest

from cartography.models import ClientPlatform, ClientSoftware
from clients.models import HistoryEntry
from firms.services import create_api_token
from firms.tenancy import firm_scope
from fiscal_questionnaire.models import Answer, Obligations
from self_service import services
from self_service.models import ClientLink, FieldDecision, Proposal, ProposedField


def _sent(client, token: str, answers: dict) -> None:
    """The client answers through its link and sends."""
    for code, data in answers.items():
        response = client.post(f"/q/{token}/reponse/{code}/", data, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
    assert client.post(f"/q/{token}/envoyer/").status_code == 302


def _rows(firm, company) -> dict[str, ProposedField]:
    with firm_scope(firm):
        return {
            row.code: row
            for row in ProposedField.objects.for_firm(firm).filter(proposal__client=company)
        }


def _sheet(firm_a, company) -> str:
    return f"/f/{firm_a.firm.slug}/clients/{company.pk}/"


def test_the_collaborator_creates_a_link_shown_once_and_revokes_it(
    as_member, firm_a, linked_client
):
    company, _token, _issued = linked_client
    web = as_member(firm_a.collaborator)
    base = _sheet(firm_a, company) + "questionnaire-client/"
    response = web.post(base + "lien/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Copiez-le maintenant" in page
    url = page.split('id="self-service-url">', 1)[1].split("<", 1)[0]
    assert url.startswith("http://127.0.0.1:8000/q/")
    token = url.rstrip("/").rsplit("/", 1)[-1]
    # Shown once: the sheet shows the link's dates, never its address.
    sheet = web.get(_sheet(firm_a, company)).content.decode()
    assert "Questionnaire client en ligne" in sheet and token not in sheet
    assert "Pas encore ouvert par le client." in sheet
    web.logout()
    assert web.get(f"/q/{token}/").status_code == 200
    web = as_member(firm_a.collaborator)
    response = web.post(base + "revoquer/", HTTP_HX_REQUEST="true")
    assert "Aucun lien en cours" in response.content.decode()
    web.logout()
    assert web.get(f"/q/{token}/").status_code == 410


def test_accepting_goes_through_the_services_with_obligations_and_history(
    client, as_member, firm_a, linked_client, catalogue
):
    company, token, _issued = linked_client
    product, platform = catalogue
    _sent(
        client,
        token,
        {
            "q:vat_liable": {"value": "oui"},
            "software": {"product": str(product.pk)},
            "platform": {"platform": str(platform.pk)},
            "signer": {"civility": "Mme", "first_name": "Claire", "last_name": "Martin"},
            "billing_emails": {"value": "factures@martin.test"},
        },
    )
    web = as_member(firm_a.collaborator)
    sheet = web.get(_sheet(firm_a, company)).content.decode()
    assert "Réponses du client à valider" in sheet
    assert "compta@boulangerie-martin.test" in sheet  # the current value, beside the proposal
    assert "factures@martin.test" in sheet
    rows = _rows(firm_a.firm, company)
    decide = _sheet(firm_a, company) + "questionnaire-client/reponses/{}/"
    for code in ("q:vat_liable", "software", "platform", "signer"):
        response = web.post(
            decide.format(rows[code].pk), {"decision": "accept"}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200, code
        assert "flash--error" not in response.content.decode(), code
    response = web.post(
        decide.format(rows["billing_emails"].pk),
        {"decision": "edit", "value": "factures@martin.test, direction@martin.test"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Réponses du client à valider" not in response.content.decode()
    with firm_scope(firm_a.firm):
        answer = Answer.objects.for_firm(firm_a.firm).get(client=company, code="vat_liable")
        obligations = Obligations.objects.for_firm(firm_a.firm).filter(client=company).exists()
        software = ClientSoftware.objects.for_firm(firm_a.firm).get(client=company)
        platforms = list(ClientPlatform.objects.for_firm(firm_a.firm).filter(client=company))
        company.refresh_from_db()
        proposal = Proposal.objects.for_firm(firm_a.firm).get(client=company)
        subjects = set(
            HistoryEntry.objects.for_firm(firm_a.firm)
            .filter(client=company, actor=firm_a.collaborator.user)
            .values_list("subject", flat=True)
        )
    assert answer.value is True and answer.answered_by == firm_a.collaborator.user
    assert obligations
    assert software.product_id == product.pk and software.used_for_issuing
    assert {(item.role, item.platform_id, item.status) for item in platforms} == {
        ("reception", platform.pk, "chosen"),
        ("issuing", platform.pk, "chosen"),
    }
    assert (company.signer_civility, company.signer_first_name, company.signer_last_name) == (
        "Mme",
        "Claire",
        "Martin",
    )
    assert company.billing_emails == ["factures@martin.test", "direction@martin.test"]
    assert proposal.reviewed_at is not None
    assert {"answers", "equipment", "client", "self_service"} <= subjects


def test_rejecting_leaves_the_record_and_a_decided_field_is_not_decided_again(
    client, as_member, firm_a, linked_client
):
    company, token, _issued = linked_client
    _sent(client, token, {"billing_emails": {"value": "autre@martin.test"}})
    web = as_member(firm_a.collaborator)
    row = _rows(firm_a.firm, company)["billing_emails"]
    url = _sheet(firm_a, company) + f"questionnaire-client/reponses/{row.pk}/"
    assert web.post(url, {"decision": "reject"}, HTTP_HX_REQUEST="true").status_code == 200
    again = web.post(url, {"decision": "accept"}, HTTP_HX_REQUEST="true")
    assert "déjà été traitée" in again.content.decode()
    junk = web.post(url, {"decision": "²"}, HTTP_HX_REQUEST="true")
    assert "Choisissez" in junk.content.decode()
    with firm_scope(firm_a.firm):
        company.refresh_from_db()
        row.refresh_from_db()
    assert company.billing_emails == ["compta@boulangerie-martin.test"]
    assert row.decision == FieldDecision.REJECTED and row.reviewed_by == firm_a.collaborator.user


def test_a_wrong_edit_says_why_and_decides_nothing(client, as_member, firm_a, linked_client):
    company, token, _issued = linked_client
    _sent(client, token, {"billing_emails": {"value": "autre@martin.test"}})
    web = as_member(firm_a.collaborator)
    row = _rows(firm_a.firm, company)["billing_emails"]
    url = _sheet(firm_a, company) + f"questionnaire-client/reponses/{row.pk}/"
    response = web.post(url, {"decision": "edit", "value": "nope"}, HTTP_HX_REQUEST="true")
    assert "n&#x27;est pas une adresse e-mail valide" in response.content.decode()
    with firm_scope(firm_a.firm):
        row.refresh_from_db()
    assert row.decision == FieldDecision.PENDING


def test_the_lists_filter_and_the_portfolio_figure(client, as_member, firm_a, linked_client):
    company, token, _issued = linked_client
    web = as_member(firm_a.supervisor)
    slug = firm_a.firm.slug
    dashboard = web.get(f"/f/{slug}/cartographie/").content.decode()
    assert 'data-testid="kpi-client-answers">0<' in dashboard
    web.logout()
    _sent(client, token, {"q:vat_liable": {"value": "non"}})
    web = as_member(firm_a.supervisor)
    dashboard = web.get(f"/f/{slug}/cartographie/").content.decode()
    assert 'data-testid="kpi-client-answers">1<' in dashboard
    filtered = web.get(f"/f/{slug}/cartographie/?client_answers=waiting").content.decode()
    assert "Boulangerie Martin" in filtered
    listed = web.get(f"/f/{slug}/clients/?client_answers=waiting").content.decode()
    assert "Boulangerie Martin" in listed
    row = _rows(firm_a.firm, company)["q:vat_liable"]
    url = f"/f/{slug}/clients/{company.pk}/questionnaire-client/reponses/{row.pk}/"
    web.post(url, {"decision": "accept"}, HTTP_HX_REQUEST="true")
    filtered = web.get(f"/f/{slug}/cartographie/?client_answers=waiting").content.decode()
    assert "Boulangerie Martin" not in filtered
    assert 'data-testid="kpi-client-answers">0<' in filtered


def test_the_firm_settings_page(as_member, firm_a):
    web = as_member(firm_a.admin)
    url = f"/f/{firm_a.firm.slug}/parametres/questionnaire-client/"
    assert web.get(url).status_code == 200
    refused = web.post(url, {"questionnaire": "on", "link_days": "0"})
    assert refused.status_code == 200
    saved = web.post(url, {"billing_emails": "on", "link_days": "7"})
    assert saved.status_code == 302
    with firm_scope(firm_a.firm):
        choice = services.choice_of(firm_a.firm)
    assert (choice.questionnaire, choice.billing_emails, choice.link_days) == (False, True, 7)
    assert as_member(firm_a.collaborator).get(url).status_code == 403


def _api(membership) -> dict:
    with firm_scope(membership.firm):
        _, raw = create_api_token(membership=membership, name="outil")
    return {"HTTP_AUTHORIZATION": f"Token {raw}"}


def test_the_api_lists_and_decides_per_field(client, firm_a, linked_client):
    company, token, _issued = linked_client
    _sent(
        client,
        token,
        {
            "q:vat_liable": {"value": "oui"},
            "billing_emails": {"value": "autre@martin.test"},
            "signer": {"last_name": "Martin"},
        },
    )
    auth = _api(firm_a.collaborator)
    listed = client.get(f"/api/v1/client-answers/?client={company.pk}&status=pending", **auth)
    assert listed.status_code == 200
    items = {item["code"]: item for item in listed.json()["results"]}
    assert set(items) == {"q:vat_liable", "billing_emails", "signer"}
    assert items["q:vat_liable"]["proposed"] == "Oui"
    assert items["billing_emails"]["value"] == ["autre@martin.test"]
    accepted = client.post(f"/api/v1/client-answers/{items['q:vat_liable']['id']}/accept/", **auth)
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    again = client.post(f"/api/v1/client-answers/{items['q:vat_liable']['id']}/reject/", **auth)
    assert again.status_code == 409 and "déjà été traitée" in again.json()["detail"]
    bad = client.post(
        f"/api/v1/client-answers/{items['billing_emails']['id']}/edit/",
        {"value": "nope"},
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 400 and "adresse e-mail" in bad.json()["value"][0]
    edited = client.post(
        f"/api/v1/client-answers/{items['billing_emails']['id']}/edit/",
        {"value": "a@martin.test"},
        content_type="application/json",
        **auth,
    )
    assert edited.status_code == 200
    assert edited.json()["applied_value"] == ["a@martin.test"]
    rejected = client.post(f"/api/v1/client-answers/{items['signer']['id']}/reject/", **auth)
    assert rejected.status_code == 200
    with firm_scope(firm_a.firm):
        company.refresh_from_db()
        proposal = Proposal.objects.for_firm(firm_a.firm).get(client=company)
    assert company.billing_emails == ["a@martin.test"]
    assert company.signer_last_name == ""
    assert proposal.reviewed_at is not None
    for query in ("client=²", "status=nope"):
        assert client.get(f"/api/v1/client-answers/?{query}", **auth).status_code == 400


def test_the_api_shows_a_collaborator_only_their_clients(client, firm_a, linked_client):
    _company, token, _issued = linked_client
    _sent(client, token, {"q:vat_liable": {"value": "oui"}})
    assert client.get("/api/v1/client-answers/", **_api(firm_a.collaborator)).json()["count"] == 1
    other = _api(firm_a.other_collaborator)
    assert client.get("/api/v1/client-answers/", **other).json()["count"] == 0


@pytest.mark.parametrize("role", ["collaborator", "supervisor"])
def test_the_sheet_section_costs_a_few_queries(
    as_member, firm_a, linked_client, role, django_assert_max_num_queries
):
    company, _token, _issued = linked_client
    web = as_member(getattr(firm_a, role))
    with django_assert_max_num_queries(60):
        assert web.get(_sheet(firm_a, company)).status_code == 200
    with firm_scope(firm_a.firm):
        assert ClientLink.objects.for_firm(firm_a.firm).filter(client=company).count() == 1
