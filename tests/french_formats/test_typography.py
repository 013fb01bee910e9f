"""French typography of printed text: the spaces that must not break."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from french_formats.typography import french_typography, printed_amount, printed_date

NBSP, NNBSP = "\u00a0", "\u202f"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Échéance : 1er mars", f"Échéance{NBSP}: 1er mars"),
        ("Échéance: demain", f"Échéance{NBSP}: demain"),
        ("Prêt ?", f"Prêt{NNBSP}?"),
        ("Oui !", f"Oui{NNBSP}!"),
        ("un ; deux", f"un{NNBSP}; deux"),
        ("« Oui »", f"«{NNBSP}Oui{NNBSP}»"),
        ("n° 3", f"n°{NBSP}3"),
        ("art. 289 bis", f"art.{NBSP}289 bis"),
        ("12 %", f"12{NBSP}%"),
        ("2 M€", f"2{NBSP}M€"),
        ("15 jours", f"15{NBSP}jours"),
        # Left alone: a colon inside a time or an address, text without French punctuation.
        ("à 10:30", "à 10:30"),
        ("https://exemple.fr", "https://exemple.fr"),
        ("SIREN 123456789", "SIREN 123456789"),
        ("", ""),
        # Already typeset: unchanged.
        (f"Échéance{NBSP}: x", f"Échéance{NBSP}: x"),
    ],
)
def test_french_typography(text, expected):
    assert french_typography(text) == expected


def test_dates_and_amounts_hold_together():
    assert printed_date(date(2027, 9, 1)) == f"1er{NBSP}septembre{NBSP}2027"
    assert printed_date(date(2026, 12, 24)) == f"24{NBSP}décembre{NBSP}2026"
    assert printed_amount(1_500_000) == f"1{NNBSP}500{NNBSP}000{NBSP}€"
    assert printed_amount(Decimal("1234.5")) == f"1{NNBSP}234,5{NBSP}€"
