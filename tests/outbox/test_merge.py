"""Merge fields of the e-mail texts: table tests."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from outbox.merge import (
    check_template,
    render_template,
    render_template_html,
    template_keys,
    validate_template,
)

ALLOWED = ["client", "numero", "montant"]


@pytest.mark.parametrize(
    ("text", "unknown"),
    [
        ("Bonjour {client}", []),
        ("Facture {numero} de {montant}", []),
        ("{client} {foo}", ["foo"]),
        ("{foo} {bar} {foo}", ["foo", "bar"]),
        ("{ client }", []),  # spaces inside the braces are ignored
        ("{{client}}", []),  # a literal "{client}", not a keyword
        ("{{{client}}}", []),  # a literal brace around a keyword
        ("{Client}", ["Client"]),  # keywords are case-sensitive
        ("{numéro}", ["numéro"]),
        ("{}", [""]),
        ("", []),
        ("Sans mot-clé", []),
    ],
)
def test_validate_template_lists_the_unknown_keywords(text, unknown):
    assert validate_template(text, ALLOWED) == unknown


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("Bonjour {client},", {"client": "Durand & Fils"}, "Bonjour Durand & Fils,"),
        ("{numero}/{numero}", {"numero": "F-12"}, "F-12/F-12"),
        ("{{client}}", {}, "{client}"),
        ("{{{client}}}", {"client": "X"}, "{X}"),
        ("a }} b {{ c", {}, "a } b { c"),
        ("{ montant } €", {"montant": "1 200,00"}, "1 200,00 €"),
        ("{montant}", {"montant": 12}, "12"),
        ("{montant}", {"montant": None}, ""),
        ("<b>{client}</b>", {"client": "<i>&amp;</i>"}, "<b><i>&amp;</i></b>"),  # plain text
        ("Ligne 1\n\nLigne 2", {}, "Ligne 1\n\nLigne 2"),
        ("{ seule", {}, "{ seule"),  # a lone brace stays (check_template refuses it)
    ],
)
def test_render_template_is_plain_text(text, values, expected):
    assert render_template(text, values) == expected


def test_render_template_refuses_a_keyword_without_value():
    with pytest.raises(ValueError, match="foo"):
        render_template("{client} {foo}", {"client": "X"})


@pytest.mark.parametrize(
    ("text", "values", "expected"),
    [
        ("Bonjour {client},", {"client": "Durand & Fils"}, "<p>Bonjour Durand &amp; Fils,</p>"),
        ("<b>{client}</b>", {"client": "<script>"}, "<p>&lt;b&gt;&lt;script&gt;&lt;/b&gt;</p>"),
        (
            "Bonjour {client},\n\nVotre facture {numero}.\nCordialement",
            {"client": "A", "numero": "F-1"},
            "<p>Bonjour A,</p>\n<p>Votre facture F-1.<br>\nCordialement</p>",
        ),
        ("Un\r\n\r\n\r\nDeux", {}, "<p>Un</p>\n<p>Deux</p>"),
        ("Un\n  \nDeux", {}, "<p>Un</p>\n<p>Deux</p>"),  # a line of spaces is blank
        ("{client}", {"client": 'L\'Atelier "Bleu"'}, "<p>L&#x27;Atelier &quot;Bleu&quot;</p>"),
        ("", {}, ""),
    ],
)
def test_render_template_html_escapes_and_makes_paragraphs(text, values, expected):
    assert render_template_html(text, values) == expected


def test_template_keys_in_order_once():
    assert template_keys("{numero} {client} {numero} {{montant}}") == ["numero", "client"]


def test_check_template_names_the_unknown_and_the_possible_keywords():
    with pytest.raises(ValidationError) as error:
        check_template("Bonjour {clien}", ALLOWED)
    assert error.value.messages == [
        "Mot-clé inconnu : {clien}. Mots-clés possibles : {client}, {numero}, {montant}."
    ]


def test_check_template_in_the_plural():
    with pytest.raises(ValidationError) as error:
        check_template("{a} {b}", ["client"])
    assert error.value.messages == [
        "Mots-clés inconnus : {a}, {b}. Mots-clés possibles : {client}."
    ]


def test_check_template_refuses_a_lone_brace():
    with pytest.raises(ValidationError) as error:
        check_template("Bonjour {client", ALLOWED)
    assert "Accolade seule" in error.value.messages[0]


def test_check_template_accepts_a_good_template():
    assert check_template("Bonjour {client}, {{ici}}", ALLOWED) is None
