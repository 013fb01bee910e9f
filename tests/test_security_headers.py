"""Every response carries a strict Content-Security-Policy and a Permissions-Policy; the API
documentation is served from the project's own files and runs under that policy."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from tests.test_templates_csp import inline_code


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
        ("/api/v1/docs/", False, 200),
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


def test_the_api_documentation_loads_nothing_from_elsewhere_and_nothing_inline(client):
    page = client.get("/api/v1/docs/")
    html = page.content.decode()
    assert inline_code(html) == []
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(source.startswith("/") for source in sources), sources
    for asset in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"):
        url = f"/static/drf_spectacular_sidecar/swagger-ui-dist/{asset}"
        assert url in sources
        assert finders.find(url.removeprefix("/static/"))
    script = client.get("/api/v1/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()
    assert '"/api/v1/schema/"' in script.content.decode()
