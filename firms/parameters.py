"""Integers and search text read from a request (a URL, a posted form, a token), checked here once.

``str.isdigit()`` is true for "²" and other digits that ``int()`` refuses, and a 25-digit number
passes it though no column holds it: an integer parameter is ASCII digits within the range of
the database column it is compared with, anything else is no value at all. PostgreSQL text
cannot hold a NUL character, so search text loses them before it reaches a query.
"""

from __future__ import annotations

# PostgreSQL's bigint, the type of every primary key (BigAutoField) and so of every id.
ID_MAX = 2**63 - 1
# PostgreSQL's integer (IntegerField, PositiveIntegerField).
INTEGER_MAX = 2**31 - 1


def parse_positive_int(value: object, *, maximum: int = ID_MAX) -> int | None:
    """``value`` as an integer from 1 to ``maximum`` (an id by default), from ASCII digits or a
    JSON integer; ``None`` for anything else ("²", "-1", "1e23", "", a list, a 25-digit number)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif (
        isinstance(value, str)
        and value.isascii()
        and value.isdigit()
        and len(value) <= len(str(maximum))  # before int(): no work on 5,000 digits
    ):
        number = int(value)
    else:
        return None
    return number if 1 <= number <= maximum else None


def search_text(value: object, *, max_length: int) -> str:
    """Free text typed in a search or filter field: without NUL characters, trimmed, cut at
    ``max_length``."""
    if not isinstance(value, str):
        return ""
    return value.replace("\x00", "").strip()[:max_length]
