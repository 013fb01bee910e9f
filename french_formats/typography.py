"""French typography for printed text: the spaces that must not break.

French sets a space before the high punctuation marks « : ; ? ! » and inside the guillemets; the
line must never break there (a colon alone at the start of a line), nor inside an amount, a
percentage, a date or "n° 3". Pure functions, no Django.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from french_formats.dates import MONTHS
from french_formats.numbers import NO_BREAK_SPACE, french_number

# Before « ; ? ! » and after « / before »: a narrow no-break space; before « : » a no-break space
# (the usage of the Imprimerie nationale).
NARROW_NO_BREAK_SPACE = "\u202f"

_BEFORE_COLON = re.compile(r"[ \t\u00a0\u202f]*:(?=\s|$)")
_BEFORE_HIGH_MARK = re.compile(r"(?<=\S)[ \t\u00a0\u202f]*([;?!])(?=\s|$|[»)])")
_AFTER_OPENING_QUOTE = re.compile(r"«[ \t\u00a0\u202f]*")
_BEFORE_CLOSING_QUOTE = re.compile(r"[ \t\u00a0\u202f]*»")
# "n° 12", "art. 289", "p. 3", "1er septembre": the word and what follows stay together.
_GLUED = re.compile(r"\b(n°|N°|art\.|p\.|§)[ ]+(?=\w)")
_NUMBER_THEN_UNIT = re.compile(r"(\d)[ ]+(%|€|k€|M€|Md€|ETP\b|jours?\b|mois\b|ans?\b)")


def french_typography(text: str) -> str:
    """``text`` with no-break spaces where French typography wants them.

    "Échéance : 1er septembre" → "Échéance\u00a0: 1er septembre"; "« Oui »" → "«\u202fOui\u202f»";
    "Prêt ?" → "Prêt\u202f?"; "n° 3" → "n°\u00a03"; "12 %" → "12\u00a0%". A colon inside a
    word or a number ("10:30", "https://") is left alone.
    """
    if not text:
        return text
    text = _BEFORE_COLON.sub(NO_BREAK_SPACE + ":", text)
    text = _BEFORE_HIGH_MARK.sub(lambda match: NARROW_NO_BREAK_SPACE + match[1], text)
    text = _AFTER_OPENING_QUOTE.sub("«" + NARROW_NO_BREAK_SPACE, text)
    text = _BEFORE_CLOSING_QUOTE.sub(NARROW_NO_BREAK_SPACE + "»", text)
    text = _GLUED.sub(lambda match: match[1] + NO_BREAK_SPACE, text)
    return _NUMBER_THEN_UNIT.sub(lambda match: match[1] + NO_BREAK_SPACE + match[2], text)


def printed_date(day: date) -> str:
    """date(2027, 9, 1) → "1er septembre 2027", its words held together by no-break spaces."""
    day_text = "1er" if day.day == 1 else str(day.day)
    return NO_BREAK_SPACE.join((day_text, MONTHS[day.month - 1], str(day.year)))


def printed_amount(value: int | float | Decimal, unit: str = "€") -> str:
    """1500000 → "1 500 000 €": narrow no-break spaces between thousands, a no-break space
    before the unit."""
    return f"{french_number(value)}{NO_BREAK_SPACE}{unit}"
