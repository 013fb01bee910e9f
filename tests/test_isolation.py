"""The isolation harness (SPEC §4): every URL, visited by someone who must not see its data.

It discovers the URL patterns itself. Each pattern under ``/f/<firm_slug>/`` is requested with
firm A's slug and real object ids, by a member of firm B (expect 404), by a collaborator of firm
A not assigned to the client (expect 404 on client pages), and by a role its view does not allow
(expect 403). A pattern with a parameter that ``tests/harness_objects.py`` does not fill fails the
suite, so every new URL is covered or noticed (and timed by the bench's sweep, which fills its
URLs with the same objects).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from firms.services import create_api_token
from firms.tenancy import firm_scope
from tests.harness_objects import make_harness_objects

# Patterns outside any firm: reachable without a firm, they show no tenant data.
PUBLIC_PATTERNS = {
    "home",
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "accept_invitation",
    # A campaign's unsubscribe link: its random token is the only key (tests/campaigns).
    "campaign_unsubscribe",
    "set_language",
    "api_schema",
    "api_docs",
    "api_me",
    # No firm's data: each check's state only (tests/jobs/test_health.py).
    "health",
    # The user's own second factor, outside any firm (tests/firms/test_two_factor.py).
    "two_factor_verify",
    "two_factor_setup",
    "two_factor_recovery_codes",
    "two_factor_disable",
    "account_security",
    # A client's self-service questionnaire: the token carries the firm and the client; only
    # that client's questions show (tests/self_service/test_isolation.py).
    "questionnaire",
    "save_field",
    "submit",
    "logo",
}


@dataclass
class Pattern:
    name: str
    route: str
    params: list[str]
    view: Callable

    def url(self, values: dict[str, object]) -> str:
        path = self.route
        for param in self.params:
            path = path.replace(f"<{param}>", str(values[param]))
        return "/" + path


def _walk(patterns, prefix: str = "") -> Iterator[Pattern]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            params = []
            normalised = route
            for converter_param in entry.pattern.converters:
                params.append(converter_param)
            # Routes are written "<int:client_id>": keep only the names.
            for piece in route.split("<")[1:]:
                declared = piece.split(">")[0]
                name = declared.split(":")[-1]
                normalised = normalised.replace(f"<{declared}>", f"<{name}>")
                if name not in params:
                    params.append(name)
            yield Pattern(
                name=entry.name or route, route=normalised, params=params, view=entry.callback
            )


def all_patterns() -> list[Pattern]:
    return list(_walk(get_resolver().url_patterns))


def firm_patterns() -> list[Pattern]:
    return [p for p in all_patterns() if "firm_slug" in p.params]


def api_patterns() -> list[Pattern]:
    """API routes: the firm comes from the token, not the URL."""
    return [
        p for p in all_patterns() if p.route.startswith("api/v1/") and p.name not in PUBLIC_PATTERNS
    ]


def required_roles(view: Callable) -> tuple[str, ...] | None:
    return getattr(view, "required_roles", None)


@pytest.fixture
def objects(firm_a):
    """One real object of firm A for each URL parameter, keyed by the parameter name (made by
    ``tests/harness_objects.py``, which the bench's sweep uses too)."""
    return make_harness_objects(firm_a.firm, admin=firm_a.admin, collaborator=firm_a.collaborator)


def test_every_pattern_is_covered():
    """A new URL must be a firm URL (tested below) or declared public on purpose."""
    api = {p.name for p in api_patterns()}
    uncovered = [
        p.name
        for p in all_patterns()
        if "firm_slug" not in p.params and p.name not in PUBLIC_PATTERNS and p.name not in api
    ]
    assert uncovered == []


def test_every_firm_url_parameter_can_be_filled(objects):
    unknown = {param for p in firm_patterns() for param in p.params if param not in objects}
    assert unknown == set()


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_firm_gets_404_everywhere(client, firm_a, firm_b, objects, method):
    client.force_login(firm_b.admin.user)
    answers = {p.name: getattr(client, method)(p.url(objects)).status_code for p in firm_patterns()}
    assert answers and {name: code for name, code in answers.items() if code != 404} == {}


def test_anonymous_visitors_are_sent_to_the_login_page(client, objects):
    for pattern in firm_patterns():
        response = client.get(pattern.url(objects))
        assert response.status_code == 302, pattern.name
        assert response["Location"].startswith("/compte/connexion/"), pattern.name


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_collaborator_cannot_open_a_client_assigned_to_someone_else(
    client, firm_a, objects, method
):
    client.force_login(firm_a.other_collaborator.user)
    client_pages = [p for p in firm_patterns() if "client_id" in p.params]
    assert client_pages
    answers = {p.name: getattr(client, method)(p.url(objects)).status_code for p in client_pages}
    assert {name: code for name, code in answers.items() if code not in (404, 403, 405)} == {}
    assert all(
        code in (404, 405) for name, code in answers.items() if not required_roles(_view(name))
    )


def _view(name: str) -> Callable:
    return next(p.view for p in firm_patterns() if p.name == name)


def test_roles_below_the_required_one_get_403(client, firm_a, objects):
    checked = 0
    for pattern in firm_patterns():
        roles = required_roles(pattern.view)
        if not roles:
            continue
        for membership in (firm_a.collaborator, firm_a.supervisor, firm_a.admin):
            if membership.role in roles:
                continue
            client.force_login(membership.user)
            for method in ("get", "post"):
                code = getattr(client, method)(pattern.url(objects)).status_code
                assert code in (403, 405), (pattern.name, membership.role, method, code)
                checked += 1
    assert checked > 0


def test_an_api_token_of_another_firm_sees_only_its_own_firm(client, firm_a, firm_b):
    with firm_scope(firm_b.firm):
        _, raw = create_api_token(membership=firm_b.admin, name="outil")
    response = client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {raw}")
    assert response.status_code == 200
    assert response.json()["firm_slug"] == firm_b.firm.slug
    forged = raw.replace(f"pfe_{firm_b.firm.pk}_", f"pfe_{firm_a.firm.pk}_")
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {forged}").status_code == 401


def _token(membership) -> str:
    with firm_scope(membership.firm):
        return create_api_token(membership=membership, name="outil")[1]


@pytest.mark.parametrize("method", ["get", "post", "patch"])
def test_another_firms_token_gets_404_on_every_api_object(client, firm_a, firm_b, objects, method):
    token = _token(firm_b.admin)
    with_objects = [p for p in api_patterns() if p.params]
    assert with_objects
    answers = {
        p.route: getattr(client, method)(
            p.url(objects), HTTP_AUTHORIZATION=f"Token {token}", content_type="application/json"
        ).status_code
        for p in with_objects
    }
    assert {route: code for route, code in answers.items() if code not in (404, 405)} == {}


def test_every_api_parameter_can_be_filled(objects):
    unknown = {param for p in api_patterns() for param in p.params if param not in objects}
    assert unknown == set()


def test_api_lists_show_only_the_tokens_firm(client, firm_a, firm_b, objects):
    token = _token(firm_b.admin)
    for pattern in api_patterns():
        if pattern.params:
            continue
        response = client.get(pattern.url(objects), HTTP_AUTHORIZATION=f"Token {token}")
        assert response.status_code == 200, pattern.route
        assert response.json()["count"] == 0, pattern.route  # firm B has nothing yet


@pytest.mark.parametrize("method", ["get", "post", "patch"])
def test_an_unassigned_collaborator_token_gets_404_on_the_client(client, firm_a, objects, method):
    token = _token(firm_a.other_collaborator)
    client_routes = [p for p in api_patterns() if "client_id" in p.params]
    assert client_routes
    for pattern in client_routes:
        code = getattr(client, method)(
            pattern.url(objects),
            HTTP_AUTHORIZATION=f"Token {token}",
            content_type="application/json",
        ).status_code
        assert code in (404, 405), (pattern.route, method, code)
