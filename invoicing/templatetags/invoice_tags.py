"""French formatting of invoice figures in templates (pages and PDF)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template

from french_formats.dates import french_date
from french_formats.money import french_amount, french_decimal, french_rate

register = template.Library()


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None


@register.filter
def euros(value) -> str:
    number = _decimal(value)
    return "" if number is None else french_amount(number)


@register.filter
def rate(value) -> str:
    number = _decimal(value)
    return "" if number is None else french_rate(number)


@register.filter
def quantity(value) -> str:
    number = _decimal(value)
    return "" if number is None else french_decimal(number)


@register.filter
def long_date(value) -> str:
    return french_date(value) if value else ""


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "") if hasattr(mapping, "get") else ""


@register.filter
def iban(value: str) -> str:
    """FR7630006000011234567890189 → "FR76 3000 6000 0112 3456 7890 189"."""
    compact = str(value or "").replace(" ", "")
    return " ".join(compact[index : index + 4] for index in range(0, len(compact), 4))
