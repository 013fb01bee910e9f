"""The campaign's little Markdown, as text and as HTML (pure functions)."""

from __future__ import annotations

import pytest

from campaigns import markup


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("Bonjour", "<p>Bonjour</p>"),
        ("Un\ndeux", "<p>Un<br>\ndeux</p>"),
        ("Un\n\nDeux", "<p>Un</p>\n<p>Deux</p>"),
        ("**Important** : lire", "<p><strong>Important</strong> : lire</p>"),
        ("Deux ** étoiles ** seules", "<p>Deux ** étoiles ** seules</p>"),
        ("- un\n- deux", "<ul><li>un</li><li>deux</li></ul>"),
        (
            "Liste :\n* un\n* deux\nFin",
            "<p>Liste :</p>\n<ul><li>un</li><li>deux</li></ul>\n<p>Fin</p>",
        ),
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
        (
            "Voir https://exemple.test/q?a=1&b=2.",
            '<p>Voir <a href="https://exemple.test/q?a=1&amp;b=2">'
            "https://exemple.test/q?a=1&amp;b=2</a>.</p>",
        ),
        (
            '"https://x.test/a" onclick=1',
            '<p>&quot;<a href="https://x.test/a">https://x.test/a</a>&quot; onclick=1</p>',
        ),
        ("", ""),
        ("\r\nA\r\n\r\nB\r\n", "<p>A</p>\n<p>B</p>"),
    ],
)
def test_html(text, html):
    assert markup.to_html(text) == html


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("**Important** : lire", "Important : lire"),
        ("- un\n- deux", "- un\n- deux"),
        ("Martin & Fils <b>", "Martin & Fils <b>"),
        ("  A\r\n\r\nB  ", "A\n\nB"),
    ],
)
def test_text(text, plain):
    assert markup.to_text(text) == plain
