"""Every response carries a strict Content-Security-Policy and a Permissions-Policy."""

from __future__ import annotations

import pytest
from django.conf import settings


def directives(policy: str) -> dict[str, str]:
    parts = (part.strip().partition(" ") for part in policy.split(";") if part.strip())
    return {name: value for name, _, value in parts}


def test_the_policy_allows_nothing_inline_nor_from_elsewhere():
    policy = directives(settings.CONTENT_SECURITY_POLICY)
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["img-src"] == "'self' data:"
    assert "unsafe" not in settings.CONTENT_SECURITY_POLICY


@pytest.mark.parametrize(
    ("path", "logged_in", "status"),
    [
        ("/compte/connexion/", False, 200),
        ("/", False, 302),
        ("/clients/", True, 404),
        ("/f/{slug}/clients/", True, 200),
        ("/f/{slug}/parametres/membres/", True, 200),
        ("/api/v1/clients/", False, 401),
    ],
)
def test_every_response_carries_the_policies(client, firm_a, path, logged_in, status):
    if logged_in:
        client.force_login(firm_a.admin.user)
    response = client.get(path.format(slug=firm_a.firm.slug))
    assert response.status_code == status
    assert response["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY
    assert response["Permissions-Policy"] == settings.PERMISSIONS_POLICY
    assert "camera=()" in response["Permissions-Policy"]
