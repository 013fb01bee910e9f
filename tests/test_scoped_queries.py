"""The application wall: no unscoped query on a tenant model outside the few allowed places.

Like a lint rule, it reads the source: ``Model.objects.<anything>`` on a tenant model must go
through ``for_firm`` (or ``visible_to`` / ``for_user``, which scope by the membership), or create
a row with an explicit ``firm`` / ``firm_id``. Tests, migrations and the tenancy module itself are
exempt; a line can opt out with a ``# scoping:`` comment that says why.
"""

from __future__ import annotations

import ast
from pathlib import Path

from firms.tenancy import tenant_models

ROOT = Path(__file__).resolve().parent.parent
APPS = [
    "firms",
    "clients",
    "jobs",
    "outbox",
    "fiscal_questionnaire",
    "cartography",
    "scoring",
    "mandates",
    "invoicing",
    "reports",
    "exports",
    "privacy",
    "campaigns",
    "config",
]
SCOPED_ENTRY_POINTS = {"for_firm", "visible_to", "for_user"}
CREATORS = {"create", "get_or_create", "update_or_create"}
EXEMPT_FILES = {"firms/tenancy.py"}


def _passes_firm(call: ast.Call) -> bool:
    return any(keyword.arg in ("firm", "firm_id") for keyword in call.keywords)


def _violations(path: Path, model_names: set[str]) -> list[str]:
    source = path.read_text()
    lines = source.splitlines()
    tree = ast.parse(source)
    calls = {id(node.func): node for node in ast.walk(tree) if isinstance(node, ast.Call)}
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Attribute)):
            continue
        manager = node.value
        if manager.attr != "objects" or not isinstance(manager.value, ast.Name):
            continue
        if manager.value.id not in model_names or node.attr in SCOPED_ENTRY_POINTS:
            continue
        if "# scoping:" in lines[node.lineno - 1]:
            continue
        if node.attr == "bulk_create":
            continue  # the objects carry their firm
        call = calls.get(id(node))
        if node.attr in CREATORS and call is not None and _passes_firm(call):
            continue
        found.append(
            f"{path.relative_to(ROOT)}:{node.lineno}: {manager.value.id}.objects.{node.attr}"
        )
    return found


def test_no_unscoped_query_on_a_tenant_model():
    model_names = {model.__name__ for model in tenant_models()}
    violations = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            relative = str(path.relative_to(ROOT))
            if "/migrations/" in relative or relative in EXEMPT_FILES:
                continue
            violations += _violations(path, model_names)
    assert violations == []


def test_the_rule_catches_an_unscoped_query(tmp_path):
    bad = tmp_path / "views.py"
    bad.write_text(
        "def view(request):\n"
        "    return Client.objects.filter(pk=1)\n"
        "def ok(request, firm):\n"
        "    return Client.objects.for_firm(firm).filter(pk=1)\n"
        "def create(firm):\n"
        "    Client.objects.create(company_name='x')\n"
        "    Client.objects.create(firm=firm, company_name='x')\n"
    )
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        assert _violations(bad, {"Client"}) == [
            "views.py:2: Client.objects.filter",
            "views.py:6: Client.objects.create",
        ]
    finally:
        ROOT = saved
