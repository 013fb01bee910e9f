"""Pages ready for a Content-Security-Policy without 'unsafe-inline' (nor 'unsafe-eval').

No template holds an inline style, an inline event handler or an inline script, and neither does
any page as rendered (template tags and form widgets write HTML too). Styles go in
``static/css/``, behaviour in ``static/js/app.js`` behind data attributes, dynamic widths in SVG
attributes (``<rect width="42%">``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.test_isolation import firm_patterns, objects  # noqa: F401 (objects: a fixture)

TEMPLATES = Path(settings.BASE_DIR) / "templates"

FORBIDDEN = {
    "inline style attribute": re.compile(r"(?<![\w:.-])style\s*=", re.IGNORECASE),
    "<style> element": re.compile(r"<style\b", re.IGNORECASE),
    "inline event handler": re.compile(r"(?<![\w:.-])on[a-z]+\s*=\s*[\"'{]", re.IGNORECASE),
    "htmx code attribute (hx-on)": re.compile(r"\bhx-on[:-]", re.IGNORECASE),
    "inline script": re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
    "code in hx-vals": re.compile(r"hx-vals\s*=\s*[\"']\s*(js|javascript):", re.IGNORECASE),
}


def inline_code(html: str) -> list[str]:
    """What a strict CSP would block in ``html``: "<kind>: <the text around it>" for each."""
    found = []
    for kind, pattern in FORBIDDEN.items():
        for match in pattern.finditer(html):
            around = html[max(0, match.start() - 40) : match.end() + 40].replace("\n", " ")
            found.append(f"{kind}: …{around}…")
    return found


@pytest.mark.parametrize(
    "html",
    [
        '<div style="width: 3%">',
        "<p STYLE='color:red'>",
        "<style>p { color: red }</style>",
        '<button onclick="go()">',
        "<form onsubmit='return confirm(1)'>",
        '<input onchange="{{ handler }}">',
        '<button hx-on:click="go()">',
        '<button hx-on-click="go()">',
        "<script>alert(1)</script>",
        '<script type="module">import "x"</script>',
        '<a href="javascript:go()">',
        "<div hx-vals='js:{a: go()}'>",
    ],
)
def test_the_scan_catches_inline_code(html):
    assert inline_code(html)


@pytest.mark.parametrize(
    "html",
    [
        '<script src="/static/js/app.js" defer></script>',
        '<svg><rect width="42%" height="100%" fill="#147a4a"/></svg>',
        '<button data-confirm="Révoquer ce jeton ?" data-onboarding="1">',
        '<div hx-vals=\'{"action": "preview"}\' hx-trigger="change">',
        "<p>Le client est à jour ; son statut a changé.</p>",
        '{% include "x.html" with section=s only %}',
    ],
)
def test_the_scan_lets_safe_markup_through(html):
    assert inline_code(html) == []


def test_no_template_holds_inline_styles_handlers_or_scripts():
    templates = sorted(TEMPLATES.rglob("*.html"))
    assert templates
    found = {
        str(path.relative_to(TEMPLATES)): inline_code(path.read_text(encoding="utf-8"))
        for path in templates
    }
    assert {name: problems for name, problems in found.items() if problems} == {}


def test_no_rendered_page_holds_inline_styles_handlers_or_scripts(client, firm_a, objects):  # noqa: F811
    """Every page of a firm as its administrator sees it, and the pages outside any firm."""
    pages = {"/compte/connexion/": client.get("/compte/connexion/")}
    client.force_login(firm_a.admin.user)
    pages["/"] = client.get("/")
    for pattern in firm_patterns():
        url = pattern.url(objects)
        pages[url] = client.get(url)
    html = {
        url: response.content.decode()
        for url, response in pages.items()
        if response.status_code == 200 and response["Content-Type"].startswith("text/html")
    }
    assert len(html) > 20
    found = {url: inline_code(text) for url, text in html.items()}
    assert {url: problems for url, problems in found.items() if problems} == {}


def test_no_template_comment_spans_lines():
    """Django's {# #} comments hold one line: one left open is printed on the page as text."""
    open_comments = {
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if line.count("{#") != line.count("#}")
    }
    assert open_comments == set()
