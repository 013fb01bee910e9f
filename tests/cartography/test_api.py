from __future__ import annotations

import json

import pytest

from cartography.models import Platform, SoftwareProduct
from config.api_parsers import NOT_AN_OBJECT
from firms.api_forms import NOT_TEXT
from firms.services import create_api_token
from firms.tenancy import firm_scope


def _token(membership) -> dict:
    with firm_scope(membership.firm):
        raw = create_api_token(membership=membership, name="outil")[1]
    return {"HTTP_AUTHORIZATION": f"Token {raw}"}


def _url(client):
    return f"/api/v1/clients/{client.pk}/cartography/"


def test_read_and_patch_a_cartography(client, firm_a, client_a, catalogue_a):
    auth = _token(firm_a.collaborator)
    response = client.patch(
        _url(client_a),
        {
            "profile": {"invoices_issued_per_month": "1 200", "bank_feed": True},
            "platforms": {"reception": {"platform": catalogue_a["pa"].pk, "status": "chosen"}},
            "software": [
                {"product": catalogue_a["pennylane"].pk, "used_for_issuing": True},
                {"name": "Caisse maison", "category": "point_of_sale"},
            ],
        },
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["profile"]["invoices_issued_per_month"] == 1200
    assert data["platforms"]["reception"]["status"] == "chosen"
    assert data["platforms"]["issuing"] is None
    assert {item["label"] for item in data["software"]} == {"Pennylane", "Caisse maison"}
    # The list is the full list: keep one, drop the other.
    kept = next(item for item in data["software"] if item["product"])
    response = client.patch(
        _url(client_a),
        {"software": [{"id": kept["id"], "product": kept["product"], "version": "2026"}]},
        content_type="application/json",
        **auth,
    )
    assert [item["version"] for item in response.json()["software"]] == ["2026"]
    assert client.get(_url(client_a), **auth).json()["software"][0]["reform_ready"] == "yes"


def test_invalid_answers_are_a_400_and_change_nothing(client, firm_a, client_a):
    auth = _token(firm_a.collaborator)
    response = client.patch(
        _url(client_a),
        {"profile": {"paper_share_received": 140}},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 400
    assert "paper_share_received" in response.json()["profile"]
    assert client.get(_url(client_a), **auth).json()["profile"]["paper_share_received"] is None


def test_an_unassigned_collaborator_gets_404(client, firm_a, client_a):
    auth = _token(firm_a.other_collaborator)
    assert client.get(_url(client_a), **auth).status_code == 404


def test_catalogue_lists_and_admin_writes(client, firm_a, catalogue_a):
    collaborator = _token(firm_a.collaborator)
    listed = client.get("/api/v1/catalogue/software/", **collaborator).json()
    assert listed["count"] == 3
    assert client.get("/api/v1/catalogue/platforms/", **collaborator).json()["count"] == 2
    new = {"vendor": "Acme", "name": "Facto", "category": "invoicing"}
    refused = client.post(
        "/api/v1/catalogue/software/", new, content_type="application/json", **collaborator
    )
    assert refused.status_code == 403
    admin = _token(firm_a.admin)
    created = client.post(
        "/api/v1/catalogue/software/", new, content_type="application/json", **admin
    )
    assert created.status_code == 201
    product_id = created.json()["id"]
    updated = client.patch(
        f"/api/v1/catalogue/software/{product_id}/",
        {"reform_ready": "yes"},
        content_type="application/json",
        **admin,
    )
    assert updated.json()["reform_ready"] == "yes"
    with firm_scope(firm_a.firm):
        assert SoftwareProduct.objects.for_firm(firm_a.firm).get(pk=product_id).name == "Facto"


def test_another_firm_sees_none_of_the_catalogue(client, firm_a, firm_b, catalogue_a):
    auth = _token(firm_b.admin)
    assert client.get("/api/v1/catalogue/software/", **auth).json()["count"] == 0
    url = f"/api/v1/catalogue/software/{catalogue_a['excel'].pk}/"
    assert client.get(url, **auth).status_code == 404


def test_a_figure_too_large_for_the_profile_is_a_400(client, firm_a, client_a):
    auth = _token(firm_a.collaborator)
    for figure in (1e23, 10**25, "1e23", "99999999999999999999999"):
        response = client.patch(
            _url(client_a),
            {"profile": {"invoices_received_per_month": figure}},
            content_type="application/json",
            **auth,
        )
        assert response.status_code == 400, figure
        assert response.json()["profile"]["invoices_received_per_month"] in (
            ["Ce nombre de factures est trop grand."],
            ["Saisissez un nombre, par exemple 1 250."],  # "1e23" typed is not a French figure
        )
    profile = client.get(_url(client_a), **auth).json()["profile"]
    assert profile["invoices_received_per_month"] is None


@pytest.mark.parametrize("platform", [{}, {"platform": 1}, {"status": "chosen"}], ids=repr)
def test_a_platform_needs_its_id_and_status(client, firm_a, client_a, platform):
    response = client.patch(
        _url(client_a),
        {"platforms": {"reception": platform}},
        content_type="application/json",
        **_token(firm_a.collaborator),
    )
    assert response.status_code == 400
    assert response.json() == {"platforms": {"reception": "Indiquez la plateforme et son statut."}}


CATALOGUES = {
    "software": {
        "api": "/api/v1/catalogue/software/",
        "web": "parametres/catalogues/logiciels/",
        "valid": {"vendor": "Acme", "name": "Facto", "category": "invoicing", "reform_ready": "no"},
        "model": SoftwareProduct,
    },
    "platforms": {
        "api": "/api/v1/catalogue/platforms/",
        "web": "parametres/catalogues/plateformes/",
        "valid": {"name": "PA Nouvelle", "notes": ""},
        "model": Platform,
    },
}


def _catalogue_names(firm, model) -> set[str]:
    with firm_scope(firm):
        return set(model.objects.for_firm(firm).values_list("name", flat=True))


@pytest.mark.parametrize(
    ("catalogue", "field", "value"),
    [
        ("software", "name", "x" * 500),  # 120 at most: PostgreSQL would refuse it
        ("software", "name", ""),
        ("software", "name", "Fac\x00to"),
        ("software", "vendor", "x" * 121),
        ("software", "category", "spaceship"),
        ("software", "reform_ready", "maybe"),
        ("platforms", "name", "x" * 151),
        ("platforms", "name", ""),
    ],
)
def test_the_api_and_the_catalogue_page_give_the_same_messages(
    client, firm_a, catalogue_a, catalogue, field, value
):
    spec = CATALOGUES[catalogue]
    before = _catalogue_names(firm_a.firm, spec["model"])
    data = {**spec["valid"], field: value}
    client.force_login(firm_a.admin.user)
    web = client.post(f"/f/{firm_a.firm.slug}/{spec['web']}", data)
    assert web.status_code == 200
    messages = list(web.context["form"].errors[field])
    assert messages
    response = client.post(
        spec["api"], data, content_type="application/json", **_token(firm_a.admin)
    )
    assert response.status_code == 400
    assert response.json() == {field: messages}
    # The same for a change to an entry.
    entry = catalogue_a["excel"] if catalogue == "software" else catalogue_a["pa"]
    response = client.patch(
        f"{spec['api']}{entry.pk}/",
        {field: value},
        content_type="application/json",
        **_token(firm_a.admin),
    )
    assert response.status_code == 400
    assert response.json() == {field: messages}
    assert _catalogue_names(firm_a.firm, spec["model"]) == before


@pytest.mark.parametrize("catalogue", ["software", "platforms"])
@pytest.mark.parametrize("value", [{"a": 1}, ["Facto"], True], ids=repr)
def test_a_value_the_form_would_misread_is_refused(client, firm_a, catalogue, value):
    spec = CATALOGUES[catalogue]
    response = client.post(
        spec["api"],
        {**spec["valid"], "name": value},
        content_type="application/json",
        **_token(firm_a.admin),
    )
    assert response.status_code == 400
    assert response.json() == {"name": [NOT_TEXT]}


@pytest.mark.parametrize("catalogue", ["software", "platforms"])
@pytest.mark.parametrize("body", [[1], [], "²", None], ids=repr)
def test_a_catalogue_body_that_is_not_an_object_is_a_400(
    client, firm_a, catalogue_a, catalogue, body
):
    spec = CATALOGUES[catalogue]
    entry = catalogue_a["excel"] if catalogue == "software" else catalogue_a["pa"]
    for method, path in (("post", spec["api"]), ("patch", f"{spec['api']}{entry.pk}/")):
        response = getattr(client, method)(
            path, json.dumps(body), content_type="application/json", **_token(firm_a.admin)
        )
        assert response.status_code == 400, (method, path)
        assert response.json() == {"detail": NOT_AN_OBJECT}


@pytest.mark.parametrize("catalogue", ["software", "platforms"])
def test_is_active_is_a_boolean(client, firm_a, catalogue_a, catalogue):
    spec = CATALOGUES[catalogue]
    entry = catalogue_a["excel"] if catalogue == "software" else catalogue_a["pa"]
    url, auth = f"{spec['api']}{entry.pk}/", _token(firm_a.admin)

    def patch(value):
        return client.patch(url, {"is_active": value}, content_type="application/json", **auth)

    assert patch("false").json()["is_active"] is False  # once read as true, and ignored
    assert patch("true").json()["is_active"] is True
    assert patch(False).json()["is_active"] is False
    refused = patch("²")
    assert refused.status_code == 400
    assert refused.json() == {"is_active": ["Doit être un booléen valide."]}
    assert client.get(url, **auth).json()["is_active"] is False
