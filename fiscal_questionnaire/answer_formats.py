"""Answers as people type and read them, in French: "1 500 000", "1,5 M€", "oui", "Siège en France".

``parse_answer`` turns what a collaborator typed into the JSON value the catalogue expects, and
``shown_answer`` turns a stored value back into the words shown on the sheet and in the history.
Pure functions, no Django.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from fiscal_questionnaire.questions import (
    QUESTIONS_BY_CODE,
    AnswerKind,
    InvalidAnswers,
    Question,
    validate_answers,
)

NUMBER_EXPECTED = "Nombre attendu, par exemple 1 500 000 ou 1,5 M€."
YES_OR_NO_EXPECTED = "Réponse attendue : oui ou non."

YES_WORDS = frozenset({"oui", "o", "vrai", "true", "yes", "1"})
NO_WORDS = frozenset({"non", "n", "faux", "false", "no", "0"})

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

THOUSANDS_SEPARATOR = "\u202f"  # narrow no-break space, as French typography wants


def parse_answer(question: Question, raw: object) -> object:
    """The value to store for what was typed; ``None`` when the answer is left empty.

    Raises ``InvalidAnswers`` with the catalogue's message (or a French hint on the expected
    format) when the text cannot be read or the value is not allowed. Values that are already
    typed (``True``, ``12``) go through the catalogue's checks unchanged.
    """
    value = _read(question, raw)
    errors = validate_answers({question.code: value})
    if errors:
        raise InvalidAnswers(errors)
    return value


def _read(question: Question, raw: object) -> object:
    if raw is None:
        return None
    if not isinstance(raw, str):
        return raw
    text = raw.strip()
    if not text:
        return None
    if question.kind is AnswerKind.BOOLEAN:
        word = text.lower()
        if word in YES_WORDS:
            return True
        if word in NO_WORDS:
            return False
        raise InvalidAnswers({question.code: YES_OR_NO_EXPECTED})
    if question.kind is AnswerKind.NUMBER:
        number = parse_french_number(text)
        if number is None:
            raise InvalidAnswers({question.code: NUMBER_EXPECTED})
        return number
    return text


def parse_french_number(text: str) -> int | float | None:
    """A number written the French way, or ``None`` if it cannot be read.

    "1 500 000", "1 500 000,50", "1.500.000", "1,5 M€", "2M", "750 k€", "12 ETP", "-3". A comma is
    the decimal mark; a single dot is one too ("1.5"), unless exactly three digits follow it and
    no multiplier does ("1.500" is fifteen hundred, as a French accountant writes it). Integral
    results are ``int``.
    """
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
    if match["sign"] == "-":
        number = -number
    if number == number.to_integral_value():
        return int(number)
    return float(number)


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


def shown_answer(code: str, value: object) -> str:
    """A stored value as the collaborator reads it: "Oui", "Siège en France", "1 500 000 €"."""
    question = QUESTIONS_BY_CODE.get(code)
    if value is None or question is None:
        return "" if value is None else str(value)
    if question.kind is AnswerKind.BOOLEAN:
        return "Oui" if value else "Non"
    if question.kind is AnswerKind.NUMBER and isinstance(value, int | float):
        text = format_number(value)
        return f"{text} €" if code.endswith("_eur") else text
    labels = {choice.value: choice.label for choice in question.choices}
    return labels.get(str(value), str(value))


def input_text(value: object) -> str:
    """A stored number as it is put back in its text box (no currency sign)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_number(value)
    return "" if value is None else str(value)
