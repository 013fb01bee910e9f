"""The amounts of an invoice, exact to the cent, as EN 16931 computes them.

Pure Python on ``Decimal``: no float, no database sum (SQLite adds decimals in floating point).
Each line's net amount is its quantity × unit price rounded half up to the cent (BT-131); the VAT
of each (category, rate) is computed on the sum of its lines' net amounts and rounded half up to
the cent (BT-117); the totals are sums of those rounded amounts (BT-109, BT-110, BT-112).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from invoicing.document import VatCategory, VatSubtotal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def round_half_up(value: Decimal, exponent: Decimal = CENT) -> Decimal:
    """1.5 × 99.99 = 149.985 → 149.99; -0.005 → -0.01 (away from zero on the half)."""
    return value.quantize(exponent, rounding=ROUND_HALF_UP)


def line_net_amount(quantity: Decimal, unit_price: Decimal) -> Decimal:
    return round_half_up(Decimal(quantity) * Decimal(unit_price))


@dataclass(frozen=True)
class LineAmounts:
    """What the computation needs of a line."""

    quantity: Decimal
    unit_price: Decimal
    vat_category: str
    vat_rate: Decimal
    exemption_reason: str = ""


@dataclass(frozen=True)
class Totals:
    line_nets: tuple[Decimal, ...]  # in the order of the lines given
    vat_breakdown: tuple[VatSubtotal, ...]
    total_excl_vat: Decimal
    total_vat: Decimal
    total_incl_vat: Decimal


def vat_of(taxable_amount: Decimal, rate: Decimal) -> Decimal:
    return round_half_up(taxable_amount * Decimal(rate) / 100)


def compute_totals(lines: Iterable[LineAmounts]) -> Totals:
    """The net amount of each line, the VAT breakdown per (category, rate), and the totals."""
    lines = list(lines)
    nets = tuple(line_net_amount(line.quantity, line.unit_price) for line in lines)
    groups: dict[tuple[str, Decimal], list] = {}
    for line, net in zip(lines, nets, strict=True):
        key = (str(line.vat_category), Decimal(line.vat_rate).normalize())
        group = groups.setdefault(key, [ZERO, line.exemption_reason])
        group[0] += net
        if not group[1]:
            group[1] = line.exemption_reason
    breakdown = tuple(
        VatSubtotal(
            vat_category=VatCategory(category),
            vat_rate=_rate(rate),
            taxable_amount=taxable,
            tax_amount=vat_of(taxable, rate),
            exemption_reason=reason if category != VatCategory.STANDARD else "",
        )
        for (category, rate), (taxable, reason) in sorted(
            groups.items(), key=lambda item: (_category_order(item[0][0]), -item[0][1])
        )
    )
    total_excl_vat = sum(nets, ZERO)
    total_vat = sum((subtotal.tax_amount for subtotal in breakdown), ZERO)
    return Totals(
        line_nets=nets,
        vat_breakdown=breakdown,
        total_excl_vat=total_excl_vat,
        total_vat=total_vat,
        total_incl_vat=total_excl_vat + total_vat,
    )


def _rate(rate: Decimal) -> Decimal:
    """A rate as printed and stored: 20.00, 5.50, 0.00 (two decimals)."""
    return Decimal(rate).quantize(CENT)


def _category_order(category: str) -> int:
    order = [item.value for item in VatCategory]
    return order.index(category) if category in order else len(order)
