"""API tokens: a malformed one is a 401."""

from __future__ import annotations

import pytest


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
