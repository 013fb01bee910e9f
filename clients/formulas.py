"""Spreadsheet formula injection, neutralised the same way in every file the app writes for a
spreadsheet (the import's report, the portfolio exports)."""

from __future__ import annotations

# A cell starting with one of these is read as a formula (or the start of one) by spreadsheets.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value: object) -> object:
    """A text that a spreadsheet would take for a formula, prefixed with a quote so it is shown
    as the text it is; any other value (a number, a date, None) as it is, typed."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value
