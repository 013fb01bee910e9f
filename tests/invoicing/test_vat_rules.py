"""The EN 16931 VAT category rules (table tests, no database)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from invoicing.vat_rules import LineVat, check_line, check_lines, default_category, parse_rate


@pytest.mark.parametrize(
    ("category", "rate", "reason", "buyer_vat", "fields"),
    [
        ("S", "20", "", "", []),
        ("S", "10", "", "", []),
        ("S", "5.5", "", "", []),
        ("S", "2.1", "", "", []),
        ("", "20", "", "", []),  # S by default
        ("S", "0", "", "", ["vat_rate"]),
        ("S", "19.6", "", "", ["vat_rate"]),
        ("Z", "0", "", "", []),
        ("Z", "20", "", "", ["vat_rate"]),
        ("E", "0", "Exonération, article 261 du CGI", "", []),
        ("E", "0", "", "", ["exemption_reason"]),
        ("E", "0", "   ", "", ["exemption_reason"]),
        ("AE", "0", "", "FR44732829320", []),
        ("AE", "0", "", "", ["vat_category"]),
        ("AE", "20", "", "FR44732829320", ["vat_rate"]),
        ("O", "0", "", "", []),
        ("O", "5.5", "", "", ["vat_rate"]),
        ("", "0", "", "", ["vat_category"]),  # a zero rate must say its category
        ("X", "0", "", "", ["vat_category"]),
    ],
)
def test_each_category_with_its_rate_and_reason(category, rate, reason, buyer_vat, fields):
    problems = check_line(LineVat(category, D(rate), reason), buyer_vat_number=buyer_vat)
    assert [field for field, _message in problems] == fields
    assert all(message and message[0].isupper() for _field, message in problems)


def test_the_messages_are_french_and_say_what_to_do():
    [(_, message)] = check_line(LineVat("E", D(0), ""))
    assert "motif d'exonération" in message
    [(_, message)] = check_line(LineVat("S", D("7"), ""))
    assert "20 %, 10 %, 5,5 % ou 2,1 %" in message


@pytest.mark.parametrize(
    ("categories", "mixed"),
    [
        (["O", "O"], False),
        (["S", "Z", "E"], False),
        (["O", "S"], True),
        (["O", "E"], True),
        (["O", "Z"], True),
    ],
)
def test_an_o_line_cannot_sit_with_other_categories(categories, mixed):
    lines = [
        LineVat(category, D("20") if category == "S" else D(0), "Motif" if category == "E" else "")
        for category in categories
    ]
    problems = check_lines(lines)
    whole = [problem for problem in problems if problem.line is None]
    assert bool(whole) == mixed
    if mixed:
        assert "hors champ" in whole[0].message


def test_line_problems_carry_their_index():
    problems = check_lines([LineVat("S", D(20)), LineVat("E", D(0), "")])
    assert [(problem.line, problem.field) for problem in problems] == [(1, "exemption_reason")]


@pytest.mark.parametrize(
    ("text", "rate"),
    [
        ("20", D("20")),
        ("5,5", D("5.5")),
        ("5.5 %", D("5.5")),
        ("0", D(0)),
        ("-1", None),
        ("abc", None),
        ("1e3", None),
        ("", None),
        ("²", None),
    ],
)
def test_parse_rate(text, rate):
    assert parse_rate(text) == rate


def test_default_category():
    assert default_category(D("20")) == "S"
    assert default_category(D("0")) == ""
