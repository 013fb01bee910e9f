"""Numbers as French people type and read them: "1 500 000", "1,5 M€", "12,5 %".

Pure functions, no Django: the rules engines and the pages share them.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

# French typography: a narrow no-break space between thousands, a no-break space before "%".
THOUSANDS_SEPARATOR = "\u202f"
NO_BREAK_SPACE = "\u00a0"

# "k€", "M€", "Md€" and their spelled-out forms; the case does not matter ("2m" is two million).
MULTIPLIERS = {
    "k": 1_000,
    "ke": 1_000,
    "m": 1_000_000,
    "me": 1_000_000,
    "million": 1_000_000,
    "millions": 1_000_000,
    "md": 1_000_000_000,
    "mds": 1_000_000_000,
    "mrd": 1_000_000_000,
    "mrds": 1_000_000_000,
    "milliard": 1_000_000_000,
    "milliards": 1_000_000_000,
}
# Words around a figure that change nothing: the currency and the staff unit.
NOISE = re.compile(r"€|\bd'euros\b|\beuros?\b|\beur\b|\betp\b|\bht\b")
FIGURE = re.compile(r"^(?P<sign>[-+]?)(?P<digits>\d[\d.,]*)(?P<unit>[a-z]*)$")
# Spaces of every kind (including the no-break and narrow no-break spaces of French text) and
# the apostrophes some write between groups of digits.
GROUPING = re.compile(r"[\s'’]")


def parse_french_number(text: str) -> int | float | None:
    """A number written the French way, or ``None`` if it cannot be read.

    "1 500 000", "1 500 000,50", "1.500.000", "1,5 M€", "2M", "750 k€", "12 ETP", "-3". A comma is
    the decimal mark; a single dot is one too ("1.5"), unless exactly three digits follow it and
    no multiplier does ("1.500" is fifteen hundred, as a French accountant writes it). Integral
    results are ``int``.
    """
    number = parse_french_decimal(text)
    if number is None:
        return None
    if number == number.to_integral_value():
        return int(number)
    return float(number)


def parse_french_decimal(text: str) -> Decimal | None:
    """The same reading as :func:`parse_french_number`, exact: "1 234,56 €" → Decimal("1234.56").
    For money, where a float has no place."""
    compact = GROUPING.sub("", NOISE.sub("", text.lower()))
    match = FIGURE.match(compact)
    if match is None:
        return None
    unit = match["unit"]
    if unit and unit not in MULTIPLIERS:
        return None
    digits = _plain_digits(match["digits"], has_multiplier=bool(unit))
    if digits is None:
        return None
    try:
        number = Decimal(digits) * MULTIPLIERS.get(unit, 1)
    except InvalidOperation:
        return None
    return -number if match["sign"] == "-" else number


def _plain_digits(digits: str, *, has_multiplier: bool) -> str | None:
    """Digits with a dot as the only (decimal) mark, e.g. "1.500.000,5" -> "1500000.5"."""
    if "," in digits and "." in digits:
        decimal_mark = "," if digits.rfind(",") > digits.rfind(".") else "."
    elif digits.count(",") == 1:
        decimal_mark = ","
    elif digits.count(".") == 1:
        before, after = digits.split(".")
        groups_thousands = len(after) == 3 and before != "0" and not has_multiplier
        decimal_mark = "" if groups_thousands else "."
    else:
        decimal_mark = ""  # none, or several of the same: they group thousands
    grouping_marks = {",": ".", ".": ",", "": ",."}[decimal_mark]
    integer, fraction = digits, ""
    if decimal_mark:
        integer, _, fraction = digits.rpartition(decimal_mark)
    for mark in grouping_marks:
        integer = integer.replace(mark, "")
    if not integer.isdigit() or (fraction and not fraction.isdigit()):
        return None
    return f"{integer}.{fraction}" if fraction else integer


def format_number(value: int | float) -> str:
    """1500000 -> "1 500 000", 2.5 -> "2,5", with narrow no-break spaces between thousands.

    Every decimal is kept, so a number shown in its text box reads back to the same value.
    """
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    sign = "-" if value < 0 else ""
    integer, _, fraction = f"{Decimal(str(abs(value))):f}".partition(".")
    grouped = f"{int(integer):,}".replace(",", THOUSANDS_SEPARATOR)
    return f"{sign}{grouped},{fraction}" if fraction else f"{sign}{grouped}"


def french_number(value: int | float | Decimal) -> str:
    """120 → "120", 1200 → "1 200", 12.5 → "12,5" (at most two decimals)."""
    if value == int(value):
        return f"{int(value):,}".replace(",", THOUSANDS_SEPARATOR)
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", THOUSANDS_SEPARATOR).replace(".", ",")


def with_unit(value: int | float | Decimal, unit: str) -> str:
    """with_unit(1200, "€") → "1 200 €"; a no-break space before "%"."""
    separator = NO_BREAK_SPACE if unit == "%" else " "
    return f"{french_number(value)}{separator}{unit}"
