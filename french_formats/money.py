"""Amounts, rates and quantities as printed on a French invoice: "1 234,56 €", "5,5 %", "1,5"."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from french_formats.numbers import NO_BREAK_SPACE, THOUSANDS_SEPARATOR


def french_decimal(value: Decimal | int | str, *, places: int | None = None) -> str:
    """Decimal(1234.5) → "1 234,5"; with ``places`` that many decimals ("1 234,50"); without,
    the trailing zeros are dropped (a quantity of 1.5000 reads "1,5")."""
    number = Decimal(value)
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        text = f"{abs(number):,.{places}f}"
    else:
        normal = abs(number).normalize()
        text = f"{normal:,f}" if normal == normal.to_integral() else f"{normal:,}"
        if "E" in text:  # 1E+1: a whole number normalized to an exponent
            text = f"{normal.to_integral():,}"
    text = text.replace(",", THOUSANDS_SEPARATOR).replace(".", ",")
    return f"-{text}" if number < 0 else text


def french_amount(value: Decimal | int | str, currency: str = "€") -> str:
    """Decimal("1234.56") → "1 234,56 €" (a no-break space before the currency)."""
    return f"{french_decimal(value, places=2)}{NO_BREAK_SPACE}{currency}"


def french_rate(value: Decimal | int | str) -> str:
    """Decimal("5.50") → "5,5 %", Decimal("20.00") → "20 %"."""
    return f"{french_decimal(value)}{NO_BREAK_SPACE}%"
