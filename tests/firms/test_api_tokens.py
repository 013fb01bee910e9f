"""API tokens: a malformed one is a 401, and so is the token of a firm or member gone."""

from __future__ import annotations

import pytest

from firms.models import Firm
from firms.services import create_api_token, set_member_active
from firms.tenancy import firm_scope

NEW_CLIENT = {"company_name": "Garage Moreau", "siren": "732829320"}


def _token(membership) -> str:
    with firm_scope(membership.firm):
        return create_api_token(membership=membership, name="outil")[1]


def _me(client, raw_token: str):
    return client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {raw_token}")


@pytest.mark.parametrize(
    "raw_token",
    [
        "pfe_99999999999999999999999_x",  # past the range of a firm id
        "pfe_²_x",  # a digit for str.isdigit(), not for int()
        "pfe_-1_x",
        "pfe_1e23_x",
        "pfe_0_x",
        "pfe__x",
        "pfe_1",
        "autre_1_x",
        "x" * 5000,
    ],
)
def test_a_malformed_token_is_a_401(client, firm_a, raw_token):
    response = _me(client, raw_token)
    assert response.status_code == 401
    assert response.json() == {"detail": "Jeton invalide ou révoqué."}


def test_the_token_of_a_deactivated_firm_is_refused(client, firm_a):
    raw_token = _token(firm_a.admin)
    assert _me(client, raw_token).status_code == 200
    Firm.objects.filter(pk=firm_a.firm.pk).update(is_active=False)
    assert _me(client, raw_token).status_code == 401
    created = client.post(
        "/api/v1/clients/",
        NEW_CLIENT,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {raw_token}",
    )
    assert created.status_code == 401
    # As the web app, where the firm's pages are a 404.
    client.force_login(firm_a.admin.user)
    assert client.get(f"/f/{firm_a.firm.slug}/clients/").status_code == 404


def test_the_token_of_a_member_removed_from_the_firm_is_refused(client, firm_a):
    raw_token = _token(firm_a.supervisor)
    with firm_scope(firm_a.firm):
        set_member_active(
            firm=firm_a.firm, membership=firm_a.supervisor, active=False, by=firm_a.admin.user
        )
    assert _me(client, raw_token).status_code == 401
    created = client.post(
        "/api/v1/clients/",
        NEW_CLIENT,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {raw_token}",
    )
    assert created.status_code == 401
