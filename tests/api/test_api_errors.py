"""What the fuzzer found, one test each: the API's errors are JSON, French, documented, and junk
is refused rather than ignored (tests/api/test_fuzzing.py runs the whole schema)."""

from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.exceptions import ValidationError

from cartography.models import Platform
from config.api_exceptions import exception_handler
from config.api_parsers import NOT_JSON
from firms.api_forms import NUMBER_NOT_TEXT
from firms.services import create_api_token
from firms.tenancy import firm_scope
from tests import factories


@pytest.fixture
def auth(firm_a) -> dict:
    with firm_scope(firm_a.firm):
        raw = create_api_token(membership=firm_a.admin, name="outil")[1]
    return {"HTTP_AUTHORIZATION": f"Token {raw}"}


@pytest.fixture
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def test_an_unknown_api_address_answers_a_json_404(client, auth):
    response = client.get("/api/v1/clients/pas-un-nombre/", **auth)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Adresse inconnue de l'API."}


def test_a_body_that_is_not_json_is_refused_in_french(client, auth):
    response = client.post("/api/v1/clients/", "{oups", content_type="application/json", **auth)
    assert response.status_code == 400
    assert response.json() == {"detail": NOT_JSON}


def test_a_validation_error_without_a_field_is_an_object_too():
    response = exception_handler(ValidationError("Ce PDF est illisible."), {})
    assert response.data == {"non_field_errors": ["Ce PDF est illisible."]}


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/api/v1/clients/", {"status": "AAA"}, "status"),
        ("/api/v1/clients/", {"sort": "AAA"}, "sort"),
        ("/api/v1/mandates/", {"status": "AAA"}, "status"),
        ("/api/v1/mandates/", {"client": "²"}, "client"),
    ],
)
def test_a_filter_value_the_list_does_not_know_is_refused(client, auth, url, params, field):
    response = client.get(url, params, **auth)
    assert response.status_code == 400  # it was ignored: the whole list, as if unfiltered
    assert list(response.json()) == [field]
    empty = client.get(url, dict.fromkeys(params, ""), **auth)  # empty: not sent
    assert empty.status_code == 200


def test_a_catalogue_entry_can_be_created_inactive(client, firm_a, auth):
    url = "/api/v1/catalogue/platforms/"
    created = client.post(
        url, {"name": "PA Bêta", "is_active": False}, content_type="application/json", **auth
    )
    assert created.status_code == 201, created.content
    assert created.json()["is_active"] is False  # is_active was ignored on creation
    with firm_scope(firm_a.firm):
        assert Platform.objects.for_firm(firm_a.firm).get(name="PA Bêta").is_active is False
    refused = client.post(
        url, {"name": "PA Gamma", "is_active": 0}, content_type="application/json", **auth
    )
    assert refused.status_code == 400
    assert list(refused.json()) == ["is_active"]


def test_a_text_field_refuses_a_number(client, firm_a, auth):
    company = factories.make_client(firm_a.firm)
    response = client.patch(
        f"/api/v1/clients/{company.pk}/",
        {"postal_code": 6900},  # "06900" would lose its zero
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 400
    assert response.json() == {"postal_code": [NUMBER_NOT_TEXT]}


def test_undecided_obligations_are_documented_as_null(client, firm_a, auth, schema):
    company = factories.make_client(firm_a.firm)
    data = client.get(f"/api/v1/clients/{company.pk}/obligations/", **auth).json()
    assert data["size_category"] is None and data["computed_at"] is None
    properties = schema["components"]["schemas"]["Obligations"]["properties"]
    assert properties["computed_at"]["nullable"] is True
    assert properties["questionnaire_version"]["nullable"] is True
    assert {"$ref": "#/components/schemas/NullEnum"} in properties["size_category"]["oneOf"]


def test_every_operation_documents_its_errors(schema):
    operations = [
        (route, method, operation)
        for route, methods in schema["paths"].items()
        for method, operation in methods.items()
    ]
    assert operations
    for route, method, operation in operations:
        codes = set(operation["responses"])
        assert "401" in codes, (method, route)
        if method != "get":
            assert "403" in codes, (method, route)
        if "{" in route:
            assert "404" in codes, (method, route)
        if "requestBody" in operation:
            assert {"400", "415"} <= codes, (method, route)
        for code in {code for code in codes if code >= "300"}:
            content = operation["responses"][code]["content"]["application/json"]
            assert content["schema"]["$ref"].rsplit("/", 1)[-1] in {
                "Error",
                "ValidationErrors",
                "Conflict",
            }, (method, route, code)


def test_the_schema_is_valid_and_without_warnings(tmp_path):
    """drf-spectacular's own checks: an enum name clash or an operationId used twice fails."""
    from django.core.management import call_command

    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml")
    )
    assert (tmp_path / "schema.yml").read_text().startswith("openapi: 3")
