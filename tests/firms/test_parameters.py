"""Integers and search text read from requests: one reader for every id, page and token."""

from __future__ import annotations

import pytest

from firms.parameters import ID_MAX, INTEGER_MAX, parse_positive_int, search_text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", 1),
        ("42", 42),
        (42, 42),
        (str(ID_MAX), ID_MAX),
        (str(ID_MAX + 1), None),
        ("9" * 25, None),
        ("9" * 5000, None),  # refused before int() reads it
        ("²", None),  # str.isdigit() is true for it, int() refuses it
        ("١٢", None),  # Arabic-Indic digits: int() would read them
        ("0", None),
        ("-1", None),
        (-1, None),
        ("+1", None),
        (" 1", None),
        ("1e23", None),
        ("1.0", None),
        (1.0, None),
        ("", None),
        (None, None),
        (True, None),
        ([], None),
        ("[]", None),
        ("1\x00", None),
    ],
)
def test_an_integer_parameter_is_ascii_digits_within_the_database_range(value, expected):
    assert parse_positive_int(value) == expected


def test_the_range_can_be_the_one_of_an_integer_column():
    assert parse_positive_int(str(INTEGER_MAX), maximum=INTEGER_MAX) == INTEGER_MAX
    assert parse_positive_int(str(INTEGER_MAX + 1), maximum=INTEGER_MAX) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  Boulangerie ", "Boulangerie"),
        ("nul\x00byte", "nulbyte"),
        ("x" * 5000, "x" * 100),
        (None, ""),
        (["a"], ""),
    ],
)
def test_search_text_loses_nul_characters_and_is_cut(value, expected):
    assert search_text(value, max_length=100) == expected
