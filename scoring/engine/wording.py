"""French wording for breakdown lines and the grid editor."""

from french_formats.dates import french_date
from french_formats.numbers import french_number, with_unit

__all__ = ["count_of", "french_date", "french_number", "with_unit"]


def count_of(count: int, singular: str, plural: str) -> str:
    """count_of(2, "logiciel", "logiciels") → "2 logiciels"; French singular for 0 and 1."""
    return f"{count} {singular if count <= 1 else plural}"
