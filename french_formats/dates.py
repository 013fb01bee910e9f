"""Dates as French text: "1er septembre 2027"."""

from __future__ import annotations

from datetime import date

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


def french_date(day: date) -> str:
    """date(2027, 9, 1) → "1er septembre 2027"."""
    day_text = "1er" if day.day == 1 else str(day.day)
    return f"{day_text} {MONTHS[day.month - 1]} {day.year}"
