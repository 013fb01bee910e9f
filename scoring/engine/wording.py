"""French wording of numbers and dates for breakdown lines and the grid editor.

Kept here rather than in Django's localisation so the engine stays importable without settings.
"""

from datetime import date
from decimal import Decimal

# French typography: a narrow no-break space between thousands, a no-break space before "%".
THOUSANDS_SEPARATOR = "\u202f"
NO_BREAK_SPACE = "\u00a0"

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def french_number(value: int | float | Decimal) -> str:
    """120 → "120", 1200 → "1 200", 12.5 → "12,5" (at most two decimals)."""
    if value == int(value):
        return f"{int(value):,}".replace(",", THOUSANDS_SEPARATOR)
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", THOUSANDS_SEPARATOR).replace(".", ",")


def with_unit(value: int | float | Decimal, unit: str) -> str:
    separator = NO_BREAK_SPACE if unit == "%" else " "
    return f"{french_number(value)}{separator}{unit}"


def french_date(day: date) -> str:
    """date(2027, 9, 1) → "1er septembre 2027"."""
    day_text = "1er" if day.day == 1 else str(day.day)
    return f"{day_text} {MONTHS[day.month - 1]} {day.year}"


def count_of(count: int, singular: str, plural: str) -> str:
    """count_of(2, "logiciel", "logiciels") → "2 logiciels"; French singular for 0 and 1."""
    return f"{count} {singular if count <= 1 else plural}"
