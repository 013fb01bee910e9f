"""/api/v1/clients/: same rules, same messages, same scope as the web app."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from clients.api import BAD_COLLABORATOR
from clients.models import Client, HistoryEntry
from config.api_parsers import NOT_AN_OBJECT
from firms.api_forms import NOT_A_LIST, NOT_TEXT
from firms.services import create_api_token
from firms.tenancy import firm_scope
from tests import factories


@pytest.fixture
def api(client):
    def call(membership, method, path, data=None):
        with firm_scope(membership.firm):
            _, token = create_api_token(membership=membership, name="test")
        return getattr(client, method)(
            path, data, content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}"
        )

    return call


def test_create_read_update_archive(api, firm_a):
    created = api(
        firm_a.supervisor,
        "post",
        "/api/v1/clients/",
        {"company_name": "Garage Moreau", "siren": "732829320", "tags": ["BIC"]},
    )
    assert created.status_code == 201, created.json()
    client_id = created.json()["id"]
    assert created.json()["vat_number"] == "FR44732829320"
    assert api(firm_a.supervisor, "get", f"/api/v1/clients/{client_id}/").json()["tags"] == ["BIC"]
    updated = api(firm_a.supervisor, "patch", f"/api/v1/clients/{client_id}/", {"city": "Lyon"})
    assert updated.status_code == 200 and updated.json()["city"] == "Lyon"
    archived = api(firm_a.supervisor, "post", f"/api/v1/clients/{client_id}/archive/")
    assert archived.json()["status"] == "archived"
    with firm_scope(firm_a.firm):
        actions = list(
            HistoryEntry.objects.for_firm(firm_a.firm)
            .order_by("id")
            .values_list("action", flat=True)
        )
    assert actions == ["created", "updated", "archived"]


def test_bad_payloads_get_the_web_forms_messages(api, firm_a):
    response = api(
        firm_a.supervisor, "post", "/api/v1/clients/", {"company_name": "X", "siren": "732829321"}
    )
    assert response.status_code == 400
    assert response.json() == {"siren": ["Ce SIREN n'existe pas : sa clé de contrôle est fausse."]}
    with firm_scope(firm_a.firm):
        assert not Client.objects.for_firm(firm_a.firm).exists()


def test_a_collaborator_token_lists_only_assigned_clients_and_cannot_reassign(api, firm_a):
    mine = factories.make_client(
        firm_a.firm, company_name="À moi", assigned_to=firm_a.collaborator.user
    )
    factories.make_client(firm_a.firm, company_name="Pas à moi")
    listing = api(firm_a.collaborator, "get", "/api/v1/clients/").json()
    assert [row["company_name"] for row in listing["results"]] == ["À moi"]
    api(
        firm_a.collaborator,
        "patch",
        f"/api/v1/clients/{mine.pk}/",
        {"assigned_to": firm_a.other_collaborator.user.pk},
    )
    with firm_scope(firm_a.firm):
        assert (
            Client.objects.for_firm(firm_a.firm).get(pk=mine.pk).assigned_to
            == firm_a.collaborator.user
        )


def test_an_assignee_from_another_firm_is_refused(api, firm_a, firm_b):
    response = api(
        firm_a.supervisor,
        "post",
        "/api/v1/clients/",
        {"company_name": "X", "siren": "732829320", "assigned_to": firm_b.collaborator.user.pk},
    )
    assert response.status_code == 400 and "assigned_to" in response.json()


def test_list_filters_match_the_web_list(api, firm_a):
    factories.make_client(firm_a.firm, company_name="Boulangerie Martin")
    factories.make_client(firm_a.firm, company_name="Garage Moreau")
    rows = api(firm_a.supervisor, "get", "/api/v1/clients/?q=garage").json()["results"]
    assert [row["company_name"] for row in rows] == ["Garage Moreau"]


def test_a_missing_client_is_introuvable_in_french(api, firm_a, firm_b):
    other_firms = factories.make_client(firm_b.firm)
    for path in (
        "/api/v1/clients/999999/",
        f"/api/v1/clients/{other_firms.pk}/",
        f"/api/v1/clients/{other_firms.pk}/answers/",
        f"/api/v1/clients/{other_firms.pk}/cartography/",
        f"/api/v1/clients/{other_firms.pk}/score/",
    ):
        response = api(firm_a.supervisor, "get", path)
        assert (response.status_code, response.json()) == (404, {"detail": "Client introuvable."})


def test_a_french_404_message_is_kept(api, firm_a):
    target = factories.make_client(firm_a.firm)
    response = api(firm_a.supervisor, "get", f"/api/v1/clients/{target.pk}/score/")
    assert response.json() == {"detail": "Ce client n'a pas encore de score."}


@pytest.mark.parametrize("collaborator", ["²", "99999999999999999999999", "-1", "1e23", "x"])
def test_a_collaborator_filter_that_is_no_id_is_a_400(api, firm_a, collaborator):
    query = urlencode({"collaborator": collaborator})
    response = api(firm_a.supervisor, "get", f"/api/v1/clients/?{query}")
    assert response.status_code == 400
    assert response.json() == {"collaborator": [BAD_COLLABORATOR]}


@pytest.mark.parametrize("body", [[1], [], "²", 1e23, None], ids=repr)
@pytest.mark.parametrize("method", ["post", "patch"])
def test_a_body_that_is_not_an_object_is_a_400(api, firm_a, method, body):
    target = factories.make_client(firm_a.firm, company_name="Garage Moreau")
    path = "/api/v1/clients/" if method == "post" else f"/api/v1/clients/{target.pk}/"
    response = api(firm_a.supervisor, method, path, json.dumps(body))
    assert response.status_code == 400
    assert response.json() == {"detail": NOT_AN_OBJECT}
    with firm_scope(firm_a.firm):
        assert list(
            Client.objects.for_firm(firm_a.firm).values_list("company_name", flat=True)
        ) == ["Garage Moreau"]


NEW_CLIENT = {"company_name": "Garage Moreau", "siren": "732829320"}


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("company_name", {"a": 1}, NOT_TEXT),  # once stored as the text "{'a': 1}"
        ("company_name", ["Garage"], NOT_TEXT),
        ("city", True, NOT_TEXT),
        ("tags", [{"a": 1}], NOT_A_LIST),
        ("billing_emails", [["compta@example.test"]], NOT_A_LIST),
    ],
)
def test_a_value_the_form_would_misread_is_refused(api, firm_a, field, value, message):
    response = api(firm_a.supervisor, "post", "/api/v1/clients/", {**NEW_CLIENT, field: value})
    assert response.status_code == 400
    assert response.json() == {field: [message]}
    with firm_scope(firm_a.firm):
        assert not Client.objects.for_firm(firm_a.firm).exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("company_name", ""),
        ("company_name", "x" * 500),
        ("company_name", "Garage\x00Moreau"),
        ("siren", "732829321"),
        ("naf_code", "99.99Z"),
        ("contact_email", "pas-un-email"),
        ("invoice_delivery", "fax"),
        ("fiscal_year_end", "31/13"),
        ("assigned_to", "²"),
        ("assigned_to", "99999999999999999999999"),
    ],
)
def test_the_api_and_the_web_form_give_the_same_messages(client, api, firm_a, field, value):
    client.force_login(firm_a.supervisor.user)
    web = client.post(f"/f/{firm_a.firm.slug}/clients/nouveau/", {**NEW_CLIENT, field: value})
    assert web.status_code == 200
    messages = list(web.context["form"].errors[field])  # French, as the whole product
    response = api(firm_a.supervisor, "post", "/api/v1/clients/", {**NEW_CLIENT, field: value})
    assert response.status_code == 400
    assert response.json() == {field: messages}
    with firm_scope(firm_a.firm):
        assert not Client.objects.for_firm(firm_a.firm).exists()
