"""Malformed input is answered with a message, never a 500 (SPEC §4, bad input).

Every URL of the isolation sweep (``tests/test_isolation.py`` discovers them) is requested by a
member allowed to use it, with each of its parameters set in turn to values that broke pages
before: a digit Python reads as one (``²``), integers past the database's range, a negative
number, an exponent, a list, a long text and NUL bytes.

- Path parameters: each one of every URL, web and API, replaced by each value.
- Web pages, GET: each query parameter the page knows: the ones its view and template read
  (recorded while the page is shown) and the ones its links and filter forms carry.
- Web pages, POST: each field of each form shown on any page, the form's other fields keeping
  the values the page gave them (so the malformed one gets past them into the view's code).
- API: each query parameter and body field of the OpenAPI schema, as text and as JSON values,
  and whole bodies that are not an object.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, urlsplit

import pytest
from django.http import QueryDict
from django.urls import Resolver404, resolve
from django.utils.datastructures import MultiValueDict
from drf_spectacular.generators import SchemaGenerator

from firms.services import create_api_token
from firms.tenancy import firm_scope
from tests.test_isolation import (  # noqa: F401 (objects: a fixture)
    all_patterns,
    api_patterns,
    firm_patterns,
    objects,
)

MALFORMED = (
    "²",  # str.isdigit() says yes, int() says no
    "9" * 25,  # past every integer column
    "-1",
    "1e23",
    "[]",
    "x" * 5000,
    "nul\x00byte",  # PostgreSQL refuses NUL in text
)
# The same in JSON, where they can also be numbers, lists, objects or null.
MALFORMED_JSON = (*MALFORMED, 10**25, -1, 1e23, [], {}, None, True)
NOT_AN_OBJECT = ([1], [], "²", 1e23, None)
NEVER_POSTED = {"csrfmiddlewaretoken"}


# --- What the pages offer: their forms and their links -------------------------------------------


@dataclass
class Form:
    method: str  # "get" or "post"
    action: str  # the path it is sent to
    htmx: bool  # sent by htmx (hx-post, hx-get): the view may answer a partial
    defaults: MultiValueDict = field(default_factory=MultiValueDict)
    fields: set[str] = field(default_factory=set)


class PageReader(HTMLParser):
    """The forms of a page (fields, the values they would send as shown, where to) and the
    query parameters of its links, per path."""

    def __init__(self, path: str) -> None:
        super().__init__()
        self.path = path
        self.forms: list[Form] = []
        self.by_id: dict[str, Form] = {}
        self.link_params: dict[str, set[str]] = {}
        self._open: list[Form] = []
        self._select: tuple[Form, str] | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: tuple[Form, str] | None = None

    def _target(self, url: str) -> str:
        return urlsplit(url).path or self.path

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        for name in ("href", "hx-get", "action"):
            if "?" in attributes.get(name, ""):
                target = self._target(attributes[name])
                query = urlsplit(attributes[name]).query
                names = {key for key, _ in parse_qsl(query, keep_blank_values=True)}
                self.link_params.setdefault(target, set()).update(names)
        if tag == "option":
            self._option(attributes)
            return
        if tag == "form":
            form = self._form(attributes)
            self.forms.append(form)
            self._open.append(form)
            if attributes.get("id"):
                self.by_id[attributes["id"]] = form
            return
        if tag not in ("input", "select", "textarea", "button"):
            return
        name = attributes.get("name")
        owner = self.by_id.get(attributes.get("form", "")) or (
            self._open[-1] if self._open else None
        )
        if owner is None and ("hx-post" in attributes or "hx-get" in attributes):
            # A field that sends itself (hx-post on the input), outside any form.
            owner = self._form(attributes)
            self.forms.append(owner)
        if owner is None or not name:
            return
        owner.fields.add(name)
        kind = attributes.get("type", "text").lower()
        if tag == "select":
            self._select, self._select_first, self._select_chosen = (owner, name), None, False
        elif tag == "textarea":
            self._textarea = (owner, name)
            owner.defaults.setlist(name, [""])
        elif tag == "button" or kind == "submit":
            # The first named submit button is the one a press of Enter sends.
            submits = attributes.get("type", "submit").lower() == "submit"
            if submits and name not in owner.defaults:
                owner.defaults.setlist(name, [attributes.get("value", "")])
        elif kind in ("checkbox", "radio"):
            if "checked" in attributes:
                owner.defaults.appendlist(name, attributes.get("value", "on"))
        elif kind != "file":
            owner.defaults.setlist(name, [attributes.get("value", "")])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self._textarea:
            form, name = self._textarea
            form.defaults.setlist(name, [form.defaults.get(name, "") + data])

    def _form(self, attributes: dict[str, str]) -> Form:
        htmx_post, htmx_get = attributes.get("hx-post"), attributes.get("hx-get")
        if htmx_post is not None:
            return Form("post", self._target(htmx_post), htmx=True)
        if htmx_get is not None:
            return Form("get", self._target(htmx_get), htmx=True)
        method = attributes.get("method", "get").lower()
        return Form(method, self._target(attributes.get("action", "")), htmx=False)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self._open:
            self._open.pop()
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select:
            form, name = self._select
            if not self._select_chosen and self._select_first is not None:
                form.defaults.setlist(name, [self._select_first])
            self._select = None

    # Options: the selected one, else the first with a value (an empty choice would stop the
    # form before the field under test is read).
    def _option(self, attributes: dict[str, str]) -> None:
        if not self._select:
            return
        form, name = self._select
        value = attributes.get("value", "")
        if "selected" in attributes:
            form.defaults.setlist(name, [value])
            self._select_chosen = True
        elif self._select_first is None and value:
            self._select_first = value


def _read_page(path: str, html: str) -> PageReader:
    reader = PageReader(path)
    reader.feed(html)
    return reader


# --- The query parameters a view reads -----------------------------------------------------------


class ReadKeys:
    """Records the keys read from any QueryDict (request.GET, DRF's query_params) while on."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.keys: set[str] = set()
        self.on = False
        recorder = self

        def recording(method):
            def read(self, key, *args, **kwargs):
                if recorder.on and isinstance(self, QueryDict):
                    recorder.keys.add(key)
                return method(self, key, *args, **kwargs)

            return read

        for name in ("__getitem__", "get", "getlist"):
            monkeypatch.setattr(MultiValueDict, name, recording(getattr(MultiValueDict, name)))
        monkeypatch.setattr(QueryDict, "__contains__", recording(dict.__contains__), raising=False)

    def during(self, call):
        self.keys, self.on = set(), True
        try:
            return call(), self.keys
        finally:
            self.on = False


# --- The sweep -----------------------------------------------------------------------------------


def _server_errors(requests: Iterable[tuple[str, str, str, object, int]]) -> list[str]:
    """Each request that answered 5xx, as "METHOD path name=value → status"."""
    return [
        f"{method.upper()} {path[:80]} {name}={str(value)[:30]!r} → {status}"
        for method, path, name, value, status in requests
        if status >= 500
    ]


def _token(membership) -> str:
    with firm_scope(membership.firm):
        return create_api_token(membership=membership, name="outil")[1]


def _view(path: str):
    """The view a path leads to, None when no URL matches it (Django's own 404: no code of
    ours runs, whatever the value)."""
    try:
        return resolve(urlsplit(path).path).func
    except Resolver404:
        return None


@pytest.fixture
def web(client, firm_a):
    client.force_login(firm_a.admin.user)  # allowed everywhere
    client.raise_request_exception = False  # a crash is a 500 to report, not to raise
    return client


def test_no_path_parameter_makes_a_500(web, firm_a, objects):  # noqa: F811
    api = {pattern.route for pattern in api_patterns()}
    token = {"HTTP_AUTHORIZATION": f"Token {_token(firm_a.admin)}"}
    requests = []
    for pattern in all_patterns():
        if pattern.route not in api and "firm_slug" not in pattern.params:
            continue  # public pages: no firm, no object
        headers = token if pattern.route in api else {}
        for param in pattern.params:
            for value in MALFORMED:
                path = pattern.url({**objects, param: quote(value, safe="")})
                if _view(path) is None:
                    continue
                for method in ("get", "post"):
                    status = getattr(web, method)(path, **headers).status_code
                    requests.append((method, path, param, value, status))
    assert requests
    errors = _server_errors(requests)
    assert not errors, "\n".join(errors)


def test_no_query_parameter_or_form_field_makes_a_500(web, objects, monkeypatch):  # noqa: F811
    reads = ReadKeys(monkeypatch)
    pages: dict[str, set[str]] = {}  # path -> the GET parameters it knows
    forms: dict[tuple[str, str], Form] = {}  # (method, action) -> the first such form seen
    firm_prefix = f"/f/{objects['firm_slug']}/"
    for pattern in firm_patterns():
        path = pattern.url(objects)
        response, keys = reads.during(lambda path=path: web.get(path))
        pages.setdefault(path, set()).update(keys)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        page = _read_page(path, response.content.decode())
        for target, names in page.link_params.items():
            pages.setdefault(target, set()).update(names)
        for form in page.forms:
            if not form.action.startswith(firm_prefix) or not form.fields - NEVER_POSTED:
                continue
            if form.method == "get":
                pages.setdefault(form.action, set()).update(form.fields)
            else:
                forms.setdefault((form.method, form.action), form).fields |= form.fields
    # The sweep reaches what once broke pages: a guard against discovery silently shrinking.
    client_page = f"{firm_prefix}clients/{objects['client_id']}/"
    assert {"collaborator", "page", "q"} <= pages[f"{firm_prefix}cartographie/"]
    assert "product" in pages[f"{client_page}cartographie/logiciels/"]
    assert "selected" in forms["post", f"{firm_prefix}clients/actions/"].fields
    assert "invoices_issued_per_month" in forms["post", f"{client_page}cartographie/profil/"].fields

    requests = []
    for path, names in _one_per_view(pages.items()):
        for name in sorted(names):
            for value in MALFORMED:
                status = web.get(path, {name: value}).status_code
                requests.append(("get", path, name, value, status))
    posted = [(action, form.fields - NEVER_POSTED) for (_, action), form in forms.items()]
    for action, names in _one_per_view(posted):
        form = forms["post", action]
        headers = {"HTTP_HX_REQUEST": "true"} if form.htmx else {}
        for name in sorted(names):
            for value in MALFORMED:
                data = form.defaults.copy()
                data.setlist(name, [value])
                status = web.post(action, dict(data.lists()), **headers).status_code
                requests.append(("post", action, name, value, status))
    errors = _server_errors(requests)
    assert not errors, "\n".join(errors)


def _one_per_view(targets: Iterable[tuple[str, set[str]]]) -> list[tuple[str, set[str]]]:
    """The targets without repeats: the same view with the same parameters for another object
    (each member's row, each platform role) runs the same code."""
    seen, kept = set(), []
    for path, names in targets:
        key = (_view(path), frozenset(names))
        if key not in seen:
            seen.add(key)
            kept.append((path, names))
    return kept


# --- The API ------------------------------------------------------------------------------------


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _bodies(schema: dict, node: dict, example: object, current: object) -> Iterable[object]:
    """Bodies that differ from a valid-looking one in a single place, down to one level of
    nesting: each writable field (or known key of an open object) set to each malformed value."""
    node = _resolve(schema, node)
    if node.get("type") == "array":
        item = _resolve(schema, node.get("items", {}))
        for body in _bodies(schema, item, {}, {}):
            yield [body]
        return
    names = [name for name, spec in node.get("properties", {}).items() if not spec.get("readOnly")]
    if "additionalProperties" in node:
        names += [*(example or {}), *(current if isinstance(current, dict) else {})]
    for name in dict.fromkeys(names):
        for value in MALFORMED_JSON:
            yield {name: value}
        spec = node.get("properties", {}).get(name)
        if spec is None:
            continue
        inner = _resolve(schema, spec)
        if inner.get("type") in ("object", "array") or "properties" in inner:
            inner_current = current.get(name) if isinstance(current, dict) else None
            for body in _bodies(schema, inner, {}, inner_current):
                yield {name: body}


def test_no_api_parameter_or_body_makes_a_500(client, firm_a, objects):  # noqa: F811
    client.raise_request_exception = False
    headers = {"HTTP_AUTHORIZATION": f"Token {_token(firm_a.admin)}"}
    schema = SchemaGenerator().get_schema(request=None, public=True)
    requests = []
    for route, operations in schema["paths"].items():
        path = route.format(**objects)
        current = client.get(path, **headers)
        is_json = current.get("Content-Type", "").startswith("application/json")
        current_data = current.json() if current.status_code == 200 and is_json else {}
        for parameter in operations.get("get", {}).get("parameters", []):
            if parameter["in"] == "query":
                for value in MALFORMED:
                    status = client.get(path, {parameter["name"]: value}, **headers).status_code
                    requests.append(("get", path, parameter["name"], value, status))
        # PUT applies the fields given, as PATCH does: PATCH is enough.
        for method in [method for method in ("post", "patch") if method in operations]:
            content = operations[method].get("requestBody", {}).get("content", {})
            json_body = content.get("application/json", {})
            example = next(iter(json_body.get("examples", {}).values()), {}).get("value")
            bodies = [
                *NOT_AN_OBJECT,
                *_bodies(schema, json_body.get("schema", {}), example, current_data),
            ]
            for body in bodies:
                status = getattr(client, method)(
                    path, json.dumps(body), content_type="application/json", **headers
                ).status_code
                requests.append((method, path, "body", json.dumps(body), status))
    assert requests
    errors = _server_errors(requests)
    assert not errors, "\n".join(errors)
